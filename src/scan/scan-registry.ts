/**
 * Walks a registry (ACR's catalog, then each repository's tags) and records every tag through
 * the push path, as if its event had arrived. Resumable: tags whose content and policy are
 * recorded already cost no registry call. Adaptive: 429s shrink the concurrency and pause
 * everyone for the Retry-After, and one image that keeps failing never fails the walk.
 */
import type { Config } from '../config.js';
import { matchesGlob } from '../domain/policy.js';
import type { Logger } from '../log.js';
import { RegistryError, type RegistryPort } from '../registry/port.js';
import { StoreError, type ComplianceStore } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import { BudgetExhaustedError } from './budget.js';
import type { EventDeps } from './handle-event.js';
import { ActionInProgressError } from './remediate.js';
import { ScanTally, type ScanSummary } from './scan-summary.js';
import { isCurrent, scanTag, type TagItem, type TagOutcome, type TagRun } from './scan-tag.js';
import {
  AdaptiveLimit,
  backoffMs,
  isThrottle,
  retryAfterMs,
  sleep,
  type Sleep,
} from './throttle.js';
import { WorkQueue } from './work-queue.js';

export interface ScanDeps {
  readonly registry: RegistryPort;
  readonly store: ComplianceStore;
  readonly config: Config;
  readonly log: Logger;
  readonly now?: () => Date;
  readonly wait?: Sleep;
}

export interface ScanOptions {
  /** Repository globs (`team/*`, `legacy/**`); all repositories when empty. */
  readonly repositories?: readonly string[];
  /** Most registry calls at once; the scan lowers it while throttled. Default 8. */
  readonly concurrency?: number;
  /** Classify content the table knows already, again. */
  readonly rescan?: boolean;
  /** Only tags updated after this ISO time (tags without a time are always taken). */
  readonly changedSince?: string;
  /** Start at this repository (in catalog order), where a stopped run left off. */
  readonly startAt?: string;
  /** Tries per step when throttled (other transient failures: at most 4). Default 8. */
  readonly maxAttempts?: number;
  /** Names the rows' eventId: `scan` (default) or `reconcile`. */
  readonly source?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ScanProgress) => void;
}

export interface ScanProgress {
  readonly phase: 'listing' | 'scanning' | 'done';
  readonly repositories: { readonly listed: number; readonly total: number };
  /** Tags handled so far and tags found so far (found grows while listing). */
  readonly tags: { readonly done: number; readonly found: number };
  readonly recorded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly throttled: number;
  readonly concurrency: number;
}

export async function scanRegistry(
  deps: ScanDeps,
  options: ScanOptions = {},
): Promise<ScanSummary> {
  return new ScanRun(deps, options).execute();
}

type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly stopped: true }
  | { readonly ok: false; readonly stopped: false; readonly error: unknown };

class ScanRun {
  private readonly tally = new ScanTally();
  private readonly limiter: AdaptiveLimit;
  private readonly queue: WorkQueue<TagItem>;
  private readonly stopper = new AbortController();
  private readonly listed = new Set<string>();
  private readonly unfinished = new Set<string>();
  private readonly tagRun: TagRun;
  private readonly clock: () => Date;
  private readonly wait: Sleep;
  private readonly maxAttempts: number;
  private repositories: readonly string[] = [];
  private found = 0;
  private failedListings = 0;
  private phase: ScanProgress['phase'] = 'listing';

  constructor(
    private readonly deps: ScanDeps,
    private readonly options: ScanOptions,
  ) {
    const concurrency = options.concurrency ?? 8;
    this.limiter = new AdaptiveLimit(concurrency);
    this.queue = new WorkQueue(concurrency * 4);
    this.clock = deps.now ?? (() => new Date());
    this.wait = deps.wait ?? sleep;
    this.maxAttempts = options.maxAttempts ?? 8;
    const abort = (): void => this.stop('aborted');
    if (options.signal?.aborted) abort();
    else options.signal?.addEventListener('abort', abort, { once: true });
    this.tagRun = {
      registry: deps.registry.registry,
      deps: eventDeps(deps, this.clock),
      source: options.source ?? 'scan',
      rescan: options.rescan ?? false,
      now: () => this.clock().toISOString(),
      refreshed: new Map(),
    };
  }

  async execute(): Promise<ScanSummary> {
    const startedAt = this.clock().toISOString();
    const { registry } = this.deps.registry;
    this.deps.log.info({ decision: 'scan-start', registry, source: this.tagRun.source });

    const listing = await this.attempt(() => this.listRepositories());
    if (listing.ok) {
      this.repositories = listing.value;
      const workers = Array.from({ length: this.limiter.max }, () => this.work());
      await this.produce();
      this.phase = 'scanning';
      await Promise.all(workers);
    } else if (!listing.stopped) {
      throw listing.error;
    }
    for (const item of this.queue.drain()) this.unfinished.add(item.repository);
    this.phase = 'done';
    this.report();

    const resumeAt = this.resumeAt(listing.ok);
    const summary = this.tally.summary({
      registry,
      startedAt,
      finishedAt: this.clock().toISOString(),
      repositories: this.listed.size,
      failedListings: this.failedListings,
      ...(resumeAt !== undefined ? { resumeAt } : {}),
    });
    this.logSummary(summary);
    return summary;
  }

  private async listRepositories(): Promise<string[]> {
    const globs = this.options.repositories ?? [];
    const startAt = this.options.startAt;
    const names: string[] = [];
    for await (const name of this.deps.registry.listRepositories()) {
      if (globs.length > 0 && !globs.some((glob) => matchesGlob(name, glob))) continue;
      if (startAt !== undefined && name < startAt) continue;
      names.push(name);
    }
    // ACR's catalog is in lexical order already; sorting keeps resume points meaningful.
    return names.sort();
  }

  /** Lists each repository's tags and queues the ones that need a look. */
  private async produce(): Promise<void> {
    try {
      for (const repository of this.repositories) {
        if (this.stopped) break;
        const listing = await this.attempt(() => this.listTags(repository));
        if (!listing.ok && listing.stopped) break;
        this.listed.add(repository);
        if (!listing.ok) {
          this.failedListings++;
          this.tally.fail({ repository, tag: '', error: messageOf(listing.error) });
          continue;
        }
        await this.enqueue(repository, listing.value);
        this.report();
      }
    } finally {
      this.queue.close();
    }
  }

  private async enqueue(repository: string, items: readonly TagItem[]): Promise<void> {
    this.found += items.length;
    for (const item of items) {
      // Recorded already: counted from the table, without a registry call or a queue slot.
      if (!this.tagRun.rescan && isCurrent(item.existing, item.tag.digest, this.policy)) {
        this.counted(item, { kind: 'skipped', record: item.existing });
      } else if (!(await this.queue.put(item))) {
        this.unfinished.add(repository);
        return;
      }
    }
  }

  private async listTags(repository: string): Promise<TagItem[]> {
    const since = this.options.changedSince;
    const tags = [];
    try {
      for await (const tag of this.deps.registry.listTags(repository)) {
        if (since === undefined || tag.lastUpdatedOn === undefined || tag.lastUpdatedOn > since) {
          tags.push(tag);
        }
      }
    } catch (err) {
      // Deleted since the catalog was read: nothing left to record.
      if (err instanceof RegistryError && err.status === 404) return [];
      throw err;
    }
    if (tags.length === 0) return [];
    const existing = await this.tagRows(repository);
    return tags.map((tag) => {
      const row = existing.get(tag.name);
      return { repository, tag, ...(row ? { existing: row } : {}) };
    });
  }

  /** The repository's tag rows: one partition query instead of a read per tag. */
  private async tagRows(repository: string): Promise<Map<string, ComplianceRecord>> {
    const rows = new Map<string, ComplianceRecord>();
    const registry = this.deps.registry.registry;
    for await (const row of this.deps.store.query({ registry, repository, rowType: 'tag' })) {
      rows.set(row.tag, row);
    }
    return rows;
  }

  private async work(): Promise<void> {
    for (let item = await this.queue.take(); item; item = await this.queue.take()) {
      if (this.stopped) {
        this.unfinished.add(item.repository);
        continue;
      }
      const current = item;
      const result = await this.attempt(() => scanTag(current, this.tagRun));
      if (result.ok) this.counted(item, result.value);
      else if (result.stopped) this.unfinished.add(item.repository);
      else this.failed(item, result.error);
      this.report();
    }
  }

  /**
   * Runs one registry-facing step under the limiter. Throttles and transient failures are
   * tried again, up to maxAttempts; a spent budget or an abort stops the run.
   */
  private async attempt<T>(step: () => Promise<T>): Promise<Attempt<T>> {
    for (let n = 1; ; n++) {
      if (!(await this.limiter.acquire(this.stopper.signal))) return { ok: false, stopped: true };
      try {
        const value = await step();
        this.limiter.succeeded();
        return { ok: true, value };
      } catch (err) {
        if (err instanceof BudgetExhaustedError) {
          this.limiter.failed();
          this.stop(err.message);
          return { ok: false, stopped: true };
        }
        if (isThrottle(err)) {
          this.tally.throttled++;
          this.limiter.throttled(retryAfterMs(err) ?? backoffMs(n));
        } else {
          this.limiter.failed();
        }
        // Other failures get fewer tries: a missing role should not take minutes to report.
        const tries = isThrottle(err) ? this.maxAttempts : Math.min(4, this.maxAttempts);
        if (!isRetryable(err) || n >= tries) {
          return { ok: false, stopped: false, error: err };
        }
        // A throttle pauses every caller in the limiter; other failures back off alone.
        if (!isThrottle(err)) await this.wait(backoffMs(n), this.stopper.signal);
      }
    }
  }

  private counted(item: TagItem, outcome: TagOutcome): void {
    if (outcome.kind === 'skipped') {
      this.tally.skipped++;
    } else {
      this.tally.recorded++;
      if (outcome.fetched) this.tally.fetched++;
      if (outcome.tagWrite === 'stale') this.tally.stale++;
      if (outcome.action !== undefined && outcome.action !== 'none') this.tally.actions++;
    }
    this.tally.count(item.repository, outcome.record);
  }

  private failed(item: TagItem, err: unknown): void {
    const error = messageOf(err);
    const { repository, tag } = item;
    this.tally.fail({ repository, tag: tag.name, error });
    this.deps.log.warn({
      decision: 'scan-failed',
      registry: this.deps.registry.registry,
      repository,
      tag: tag.name,
      digest: tag.digest,
      error,
    });
  }

  /** The first repository, in walk order, that this run did not finish. */
  private resumeAt(listedCatalog: boolean): string | undefined {
    if (!listedCatalog) return this.options.startAt ?? '';
    if (!this.stopped) return undefined;
    return this.repositories.find((r) => !this.listed.has(r) || this.unfinished.has(r));
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.deps.log.info({
      decision: 'scan-stop',
      registry: this.deps.registry.registry,
      reason,
    });
    this.stopper.abort();
    this.queue.close();
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private get policy() {
    return this.deps.config.policy;
  }

  private report(): void {
    this.options.onProgress?.({
      phase: this.phase,
      repositories: { listed: this.listed.size, total: this.repositories.length },
      tags: { done: this.tally.done, found: this.found },
      recorded: this.tally.recorded,
      skipped: this.tally.skipped,
      failed: this.tally.failed,
      throttled: this.tally.throttled,
      concurrency: this.limiter.limit,
    });
  }

  private logSummary(summary: ScanSummary): void {
    const { byStatus } = summary;
    this.deps.log.info({
      decision: 'scan-done',
      registry: summary.registry,
      source: this.tagRun.source,
      complete: summary.complete,
      resumeAt: summary.resumeAt,
      tags: summary.tags,
      recorded: summary.recorded,
      skipped: summary.skipped,
      failed: summary.failed,
      throttled: summary.throttled,
      compliant: byStatus.compliant,
      noncompliant: byStatus.noncompliant,
      exempt: byStatus.exempt,
      errors: byStatus.error,
    });
  }
}

/** The push path's dependencies, bound to the one registry being walked. */
function eventDeps(deps: ScanDeps, clock: () => Date): EventDeps {
  const { registry } = deps;
  return {
    config: { ...deps.config, allowedRegistries: [registry.registry] },
    registryFor: (name) => {
      if (name !== registry.registry) throw new Error(`scan of ${registry.registry} met ${name}`);
      return registry;
    },
    store: deps.store,
    log: deps.log,
    now: clock,
  };
}

/** Worth another try: throttling, timeouts, 5xx, the table, a tag being acted on right now. */
function isRetryable(err: unknown): boolean {
  if (err instanceof RegistryError) return err.transient;
  return err instanceof StoreError || err instanceof ActionInProgressError;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
