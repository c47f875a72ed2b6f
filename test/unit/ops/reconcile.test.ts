import { describe, expect, it } from 'vitest';
import { defaultReconcileSchedule } from '../../../src/config.js';
import { scheduleExpression } from '../../../src/functions/reconcile.js';
import { nextMarker } from '../../../src/scan/reconcile.js';
import type { ScanSummary } from '../../../src/scan/scan-summary.js';
import { WorkQueue } from '../../../src/scan/work-queue.js';

const since = '2026-01-01T00:00:00.000Z';
const passStartedAt = '2026-01-02T03:00:00.000Z';
const updatedAt = '2026-01-02T03:05:00.000Z';

function summary(overrides: Partial<ScanSummary>): ScanSummary {
  return {
    registry: 'reg.example',
    startedAt: passStartedAt,
    finishedAt: updatedAt,
    seconds: 300,
    complete: true,
    repositories: 3,
    tags: 10,
    recorded: 4,
    skipped: 6,
    fetched: 4,
    failed: 0,
    stale: 0,
    throttled: 0,
    actions: 0,
    imagesPerSecond: 0,
    byStatus: { compliant: 10, noncompliant: 0, exempt: 0, error: 0 },
    byKind: {},
    worst: [],
    failures: [],
    ...overrides,
  };
}

describe('nextMarker', () => {
  it('moves the sweep up to the start of a pass that finished without failures', () => {
    const marker = nextMarker('reg.example', since, passStartedAt, summary({}), updatedAt);

    expect(marker).toMatchObject({ sweptUntil: passStartedAt, updatedAt });
    expect(marker.resumeAt).toBeUndefined();
    expect(marker.passStartedAt).toBeUndefined();
  });

  it('keeps the window and the pass start, and says where to go on, when the budget ran out', () => {
    const stopped = summary({ complete: false, resumeAt: 'team/m' });

    const marker = nextMarker('reg.example', since, passStartedAt, stopped, updatedAt);

    expect(marker).toMatchObject({ sweptUntil: since, passStartedAt, resumeAt: 'team/m' });
  });

  it('keeps the window and starts over when images failed, so none is forgotten', () => {
    const failed = summary({ failed: 2 });

    const marker = nextMarker('reg.example', since, passStartedAt, failed, updatedAt);

    expect(marker).toMatchObject({ sweptUntil: since });
    expect(marker.resumeAt).toBeUndefined();
    expect(JSON.parse(marker.lastRun ?? '{}')).toMatchObject({ failed: 2, recorded: 4 });
  });
});

describe('scheduleExpression', () => {
  it('lets the host read RECONCILE_SCHEDULE when the setting exists', () => {
    expect(scheduleExpression({ RECONCILE_SCHEDULE: '0 30 2 * * *' })).toBe('%RECONCILE_SCHEDULE%');
  });

  it('writes the nightly default out when the setting is absent or empty', () => {
    expect(scheduleExpression({})).toBe(defaultReconcileSchedule);
    expect(scheduleExpression({ RECONCILE_SCHEDULE: '  ' })).toBe(defaultReconcileSchedule);
  });
});

describe('WorkQueue', () => {
  it('holds the producer while full and hands items out in order', async () => {
    const queue = new WorkQueue<number>(2);
    await queue.put(1);
    await queue.put(2);
    let third = false;
    const putting = queue.put(3).then(() => (third = true));

    await Promise.resolve();
    expect(third).toBe(false);
    expect(await queue.take()).toBe(1);
    await putting;
    queue.close();

    expect([await queue.take(), await queue.take(), await queue.take()]).toEqual([2, 3, undefined]);
  });

  it('refuses items once closed and hands back what was never taken', async () => {
    const queue = new WorkQueue<string>(4);
    await queue.put('a');

    expect(queue.drain()).toEqual(['a']);
    expect(await queue.put('b')).toBe(false);
  });
});
