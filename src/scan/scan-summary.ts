/** What a registry walk found and did, counted as it goes and summed up at the end. */
import type { Status } from '../domain/verdict-types.js';
import type { ComplianceRecord } from '../store/records.js';

export const statuses: readonly Status[] = ['compliant', 'noncompliant', 'exempt', 'error'];

export interface RepositoryTally {
  readonly repository: string;
  readonly tags: number;
  readonly noncompliant: number;
  readonly error: number;
  /** Compliant or exempt, in percent of tags with a verdict (errors left out); null: none. */
  readonly compliancePercent: number | null;
}

export interface ScanFailure {
  readonly repository: string;
  /** Empty when listing the repository's tags failed. */
  readonly tag: string;
  readonly error: string;
}

export interface ScanSummary {
  readonly registry: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  /** Every selected repository was walked: nothing is left for a later run. */
  readonly complete: boolean;
  /** Where a stopped run continues (the first repository not fully walked). */
  readonly resumeAt?: string;
  readonly repositories: number;
  /** Tags seen: recorded + skipped + failed. */
  readonly tags: number;
  readonly recorded: number;
  /** Already recorded with this content and policy: no registry call. */
  readonly skipped: number;
  /** Manifests classified from the registry (the rest came from the table). */
  readonly fetched: number;
  readonly failed: number;
  /** Tag rows that already held a newer push than the listing showed. */
  readonly stale: number;
  /** 429 answers that reached the scan after the SDK's own retries. */
  readonly throttled: number;
  /** Actions taken by remediation (reconcile only; the scan command only records). */
  readonly actions: number;
  readonly imagesPerSecond: number;
  readonly byStatus: Readonly<Record<Status, number>>;
  readonly byKind: Readonly<Record<string, number>>;
  /** Up to five repositories with the most noncompliant tags. */
  readonly worst: readonly RepositoryTally[];
  /** The first failures, for the log and the terminal. */
  readonly failures: readonly ScanFailure[];
}

const keptFailures = 20;
const worstCount = 5;

interface Counts {
  tags: number;
  compliant: number;
  noncompliant: number;
  exempt: number;
  error: number;
}

export class ScanTally {
  recorded = 0;
  skipped = 0;
  fetched = 0;
  failed = 0;
  stale = 0;
  throttled = 0;
  actions = 0;
  private readonly byStatus: Record<Status, number> = {
    compliant: 0,
    noncompliant: 0,
    exempt: 0,
    error: 0,
  };
  private readonly byKind: Record<string, number> = {};
  private readonly repositories = new Map<string, Counts>();
  private readonly failures: ScanFailure[] = [];

  get done(): number {
    return this.recorded + this.skipped + this.failed;
  }

  /** Counts a tag's verdict, whether recorded now or found recorded already. */
  count(repository: string, record: Pick<ComplianceRecord, 'status' | 'kind'>): void {
    this.byStatus[record.status]++;
    this.byKind[record.kind] = (this.byKind[record.kind] ?? 0) + 1;
    const counts = this.repository(repository);
    counts.tags++;
    counts[record.status]++;
  }

  fail(failure: ScanFailure): void {
    if (failure.tag !== '') this.failed++;
    if (this.failures.length < keptFailures) this.failures.push(failure);
  }

  summary(run: {
    registry: string;
    startedAt: string;
    finishedAt: string;
    repositories: number;
    resumeAt?: string;
    failedListings: number;
  }): ScanSummary {
    const seconds = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
    return {
      registry: run.registry,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      seconds,
      complete: run.resumeAt === undefined && run.failedListings === 0,
      ...(run.resumeAt !== undefined ? { resumeAt: run.resumeAt } : {}),
      repositories: run.repositories,
      tags: this.done,
      recorded: this.recorded,
      skipped: this.skipped,
      fetched: this.fetched,
      failed: this.failed,
      stale: this.stale,
      throttled: this.throttled,
      actions: this.actions,
      imagesPerSecond: seconds > 0 ? round(this.done / seconds) : 0,
      byStatus: { ...this.byStatus },
      byKind: { ...this.byKind },
      worst: worstRepositories(this.repositories),
      failures: [...this.failures],
    };
  }

  private repository(name: string): Counts {
    let counts = this.repositories.get(name);
    if (!counts) {
      counts = { tags: 0, compliant: 0, noncompliant: 0, exempt: 0, error: 0 };
      this.repositories.set(name, counts);
    }
    return counts;
  }
}

/** Percent compliant or exempt among tags with a verdict; null when none has one. */
export function compliancePercent(counts: Omit<Counts, 'tags'>): number | null {
  const judged = counts.compliant + counts.exempt + counts.noncompliant;
  return judged === 0 ? null : round((100 * (counts.compliant + counts.exempt)) / judged);
}

function worstRepositories(repositories: ReadonlyMap<string, Counts>): RepositoryTally[] {
  return [...repositories]
    .filter(([, counts]) => counts.noncompliant > 0 || counts.error > 0)
    .map(([repository, counts]) => ({
      repository,
      tags: counts.tags,
      noncompliant: counts.noncompliant,
      error: counts.error,
      compliancePercent: compliancePercent(counts),
    }))
    .sort(
      (a, b) =>
        b.noncompliant - a.noncompliant ||
        b.error - a.error ||
        a.repository.localeCompare(b.repository),
    )
    .slice(0, worstCount);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
