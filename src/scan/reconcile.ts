/**
 * The nightly sweep for what the events missed (subscriptions created after pushes, dead
 * letters, outages): tags updated since the last finished pass that the table does not hold,
 * recorded through the push path. Each run spends a bounded request budget at a steady pace
 * and a pass that runs out continues next time where it stopped.
 */
import type { SweepMarker } from '../store/port.js';
import { budgetedRegistry, RequestBudget } from './budget.js';
import { scanRegistry, type ScanDeps } from './scan-registry.js';
import type { ScanSummary } from './scan-summary.js';

export interface ReconcileOptions {
  /**
   * Registry requests per run. ACR allows 10,000 reads a minute on Basic and Standard, half
   * per identity; the default run takes 3,000 in all, at 600 a minute.
   */
  readonly maxRequests?: number;
  readonly requestsPerMinute?: number;
  readonly concurrency?: number;
  /**
   * The first pass looks this far back only: older images were pushed before the app was
   * deployed, are not missed events, and belong to `mediatype-guard scan`. Default 24 h.
   */
  readonly firstLookbackMs?: number;
  /** Slack for clock skew between ACR's update times and ours. Default 10 min. */
  readonly skewMs?: number;
  readonly signal?: AbortSignal;
}

export interface ReconcileOutcome {
  readonly registry: string;
  /** Tags updated after this time were looked at. */
  readonly since: string;
  /** The pass finished: the next run looks only at what changed after it started. */
  readonly passFinished: boolean;
  readonly requests: number;
  readonly summary: ScanSummary;
  readonly marker: SweepMarker;
}

export const reconcileDefaults = {
  maxRequests: 3_000,
  requestsPerMinute: 600,
  concurrency: 4,
  firstLookbackMs: 24 * 3600_000,
  skewMs: 10 * 60_000,
} as const;

export async function reconcileRegistry(
  deps: ScanDeps,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const settings = { ...reconcileDefaults, ...definedOnly(options) };
  const clock = deps.now ?? (() => new Date());
  const registry = deps.registry.registry;
  const started = clock();

  const marker = await deps.store.getSweepMarker(registry);
  const since =
    marker?.sweptUntil ?? new Date(started.getTime() - settings.firstLookbackMs).toISOString();
  const resuming = marker?.resumeAt !== undefined && marker.passStartedAt !== undefined;
  const passStartedAt = resuming ? marker.passStartedAt! : started.toISOString();

  const budget = new RequestBudget({
    maxRequests: settings.maxRequests,
    perMinute: settings.requestsPerMinute,
    clock: () => clock().getTime(),
    ...(deps.wait ? { wait: deps.wait } : {}),
  });
  const changedSince = new Date(Date.parse(since) - settings.skewMs).toISOString();
  const summary = await scanRegistry(
    { ...deps, registry: budgetedRegistry(deps.registry, budget) },
    {
      changedSince,
      concurrency: settings.concurrency,
      source: 'reconcile',
      ...(resuming ? { startAt: marker.resumeAt! } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );

  const next = nextMarker(registry, since, passStartedAt, summary, clock().toISOString());
  await deps.store.putSweepMarker(next);
  const passFinished = summary.complete && summary.failed === 0;
  deps.log.info({
    decision: 'reconcile',
    registry,
    since,
    passFinished,
    resumeAt: next.resumeAt,
    requests: budget.spent,
    recorded: summary.recorded,
    failed: summary.failed,
  });
  return { registry, since, passFinished, requests: budget.spent, summary, marker: next };
}

/**
 * Finished without failures: the next pass starts from this pass's start. Stopped by the
 * budget: same window, continue at resumeAt. Finished with failures: same window, from the
 * top (what was recorded is skipped cheaply), so a failed image is not forgotten.
 */
export function nextMarker(
  registry: string,
  since: string,
  passStartedAt: string,
  summary: ScanSummary,
  updatedAt: string,
): SweepMarker {
  const lastRun = JSON.stringify({
    finishedAt: summary.finishedAt,
    tags: summary.tags,
    recorded: summary.recorded,
    failed: summary.failed,
    throttled: summary.throttled,
    resumeAt: summary.resumeAt,
  });
  if (summary.resumeAt !== undefined) {
    return {
      registry,
      sweptUntil: since,
      passStartedAt,
      resumeAt: summary.resumeAt,
      updatedAt,
      lastRun,
    };
  }
  if (!summary.complete || summary.failed > 0) {
    return { registry, sweptUntil: since, updatedAt, lastRun };
  }
  return { registry, sweptUntil: passStartedAt, updatedAt, lastRun };
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
