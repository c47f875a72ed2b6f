import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.js';
import { progressView } from '../../../src/cli/progress.js';
import { reportCsv, reportTables } from '../../../src/cli/report-format.js';
import { formatSummary } from '../../../src/cli/scan.js';
import { summarizeRecords } from '../../../src/scan/report.js';
import type { ScanProgress } from '../../../src/scan/scan-registry.js';
import type { ScanSummary } from '../../../src/scan/scan-summary.js';
import { actionRow, tagRow } from './records.js';

function capture(isTTY: boolean): CliIO & { lines: string[] } {
  const lines: string[] = [];
  return { env: {}, out: (t) => lines.push(t), err: (t) => lines.push(t), isTTY, lines };
}

function progress(done: number, found: number): ScanProgress {
  return {
    phase: 'scanning',
    repositories: { listed: 2, total: 2 },
    tags: { done, found },
    recorded: done,
    skipped: 0,
    failed: 0,
    throttled: 0,
    concurrency: 8,
  };
}

describe('progressView', () => {
  it('redraws one bar in place on a terminal, at most ten times a second', () => {
    const io = capture(true);
    let now = 0;
    const view = progressView(io, () => now);

    view.update(progress(1, 10));
    now += 50;
    view.update(progress(2, 10));
    now += 100;
    view.update(progress(5, 10));

    expect(io.lines).toHaveLength(2);
    expect(io.lines[0]).toMatch(/^\[#+\.+\] 1\/10 tags/);
    const clear = '\u001b[1A\u001b[2K';
    expect(io.lines[1]?.startsWith(clear)).toBe(true);
    expect(io.lines[1]?.slice(clear.length)).toMatch(/^\[#{12}\.{12}\] 5\/10 tags/);
  });

  it('puts a warning above the bar and draws the bar again under it', () => {
    const io = capture(true);
    const view = progressView(io, () => 0);
    view.update(progress(1, 10));

    view.note('warning: decision=scan-failed');

    expect(io.lines[1]).toBe('\u001b[1A\u001b[2Kwarning: decision=scan-failed');
    expect(io.lines[2]).toMatch(/^\[#/);
  });

  it('writes plain lines, every five seconds, when stderr is not a terminal', () => {
    const io = capture(false);
    let now = 0;
    const view = progressView(io, () => now);

    for (let i = 1; i <= 10; i++) {
      view.update(progress(i, 10));
      now += 1_000;
    }
    view.done();

    expect(io.lines.every((line) => !line.includes('\u001b'))).toBe(true);
    expect(io.lines).toHaveLength(3);
    expect(io.lines[2]).toContain('scan: scanning, 10 of 10 tags found so far (100%)');
  });
});

describe('report output', () => {
  const report = summarizeRecords(
    [
      tagRow('team/app', 'v1', 'noncompliant', { actionDetail: 'moved, "retagged"' }),
      tagRow('team/app', 'v2', 'compliant'),
    ],
    [actionRow('team/app', 'v1', 'quarantine', '2026-01-10T00:00:02.000Z')],
    {},
    '2026-02-01T00:00:00.000Z',
  );

  it('prints totals, repositories, noncompliant tags with their fixes, and actions', () => {
    const text = reportTables(report, 'all');

    expect(text).toContain('2 tags: 1 compliant, 1 noncompliant, 0 exempt, 0 error (50%');
    expect(text).toMatch(/reg\.example\/team\/app\s+50%\s+2\s+1/);
    expect(text).toMatch(/reg\.example\/team\/app:v1\s+noncompliant\s+oci-index\s+oci-index/);
    expect(text).toContain('  oci-index: build with oci-mediatypes=false');
    expect(text).toMatch(/2026-01-10T00:00:02.000Z\s+reg\.example\/team\/app:v1\s+quarantine/);
  });

  it('writes RFC 4180 CSV, quoting fields with commas and quotes', () => {
    const lines = reportCsv(report, 'tags').split('\r\n');

    expect(lines[0]).toBe(
      'registry,repository,tag,digest,status,kind,artifact,mediaType,reasons,messages,fixes,' +
        'action,actionDetail,eventTime,checkedAt',
    );
    expect(lines[1]).toContain(',"moved, ""retagged""",');
    expect(lines).toHaveLength(2);
    expect(reportCsv(report, 'repositories').split('\r\n')[1]).toBe(
      'reg.example,team/app,2,1,1,0,0,50',
    );
  });
});

describe('formatSummary', () => {
  it('says what was scanned, the worst repositories, failures and where to resume', () => {
    const summary: ScanSummary = {
      registry: 'reg.example',
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:10.000Z',
      seconds: 10,
      complete: false,
      resumeAt: 'team/zeta',
      repositories: 3,
      tags: 30,
      recorded: 20,
      skipped: 9,
      fetched: 12,
      failed: 1,
      stale: 0,
      throttled: 4,
      actions: 0,
      imagesPerSecond: 3,
      byStatus: { compliant: 10, noncompliant: 15, exempt: 4, error: 0 },
      byKind: { 'oci-index': 15, 'docker-manifest': 10, artifact: 4 },
      worst: [
        { repository: 'team/app', tags: 20, noncompliant: 15, error: 0, compliancePercent: 25 },
      ],
      failures: [{ repository: 'team/app', tag: 'v9', error: 'get manifest failed (503)' }],
    };

    const text = formatSummary(summary);

    expect(text).toContain('scanned reg.example: 30 tags in 3 repositories, 10.0 s (3 images/s)');
    expect(text).toContain('status: compliant 10, noncompliant 15, exempt 4');
    expect(text).toContain('team/app: 15 noncompliant, 0 error of 20 tags (25% compliant');
    expect(text).toContain('team/app:v9: get manifest failed (503)');
    expect(text).toContain('stopped at team/zeta: run again to continue');
  });
});
