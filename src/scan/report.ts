/**
 * What ops ask of the compliance table: which tags are not compliant and why, how compliant
 * each repository is, and what the app did lately. Read by `mediatype-guard report` and the
 * `compliance` HTTP function alike.
 */
import { matchesGlob } from '../domain/policy.js';
import type { Reason, Status } from '../domain/verdict-types.js';
import type { ComplianceStore, RecordFilter } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import { compliancePercent, statuses } from './scan-summary.js';

export type StatusFilter = Status | 'any';
export const statusFilters: readonly StatusFilter[] = [...statuses, 'any'];

export interface ReportFilter {
  readonly registry?: string;
  /** Repository globs; every repository when empty. */
  readonly repositories?: readonly string[];
  /** Which tags to list; default noncompliant. Repository percentages always count all. */
  readonly status?: StatusFilter;
  /** ISO time: tags pushed (eventTime) and actions taken at or after it. */
  readonly since?: string;
  readonly includeDeleted?: boolean;
}

export interface TagLine {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly status: Status;
  readonly kind: string;
  readonly artifact: string;
  readonly mediaType: string;
  readonly reasons: readonly Reason[];
  readonly action: string;
  readonly actionDetail: string;
  readonly eventTime: string;
  readonly checkedAt: string;
  readonly deleted: boolean;
}

export interface RepositoryLine {
  readonly registry: string;
  readonly repository: string;
  readonly tags: number;
  readonly compliant: number;
  readonly noncompliant: number;
  readonly exempt: number;
  readonly error: number;
  /** Compliant or exempt among tags with a verdict, in percent; null when none has one. */
  readonly compliancePercent: number | null;
}

export interface ActionLine {
  readonly at: string;
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly action: string;
  readonly detail: string;
  readonly status: Status;
  readonly reasons: string;
}

export interface Report {
  readonly generatedAt: string;
  readonly filter: ReportFilter;
  readonly totals: {
    readonly tags: number;
    readonly byStatus: Readonly<Record<Status, number>>;
    readonly byKind: Readonly<Record<string, number>>;
    readonly compliancePercent: number | null;
  };
  /** Worst first. */
  readonly repositories: readonly RepositoryLine[];
  readonly tags: readonly TagLine[];
  /** Newest first. */
  readonly actions: readonly ActionLine[];
}

export async function buildReport(
  store: ComplianceStore,
  filter: ReportFilter,
  now: Date = new Date(),
): Promise<Report> {
  const tagRows = await collect(store.query(tagQuery(filter)));
  const actionRows = await collect(
    store.query({
      rowType: 'action',
      ...(filter.registry !== undefined ? { registry: filter.registry } : {}),
      ...(filter.since !== undefined ? { since: filter.since } : {}),
    }),
  );
  return summarizeRecords(tagRows, actionRows, filter, now.toISOString());
}

/** The report from rows already read; pure, so every rule here is unit-tested. */
export function summarizeRecords(
  tagRows: readonly ComplianceRecord[],
  actionRows: readonly ComplianceRecord[],
  filter: ReportFilter,
  generatedAt: string,
): Report {
  const selected = (row: ComplianceRecord): boolean =>
    (filter.registry === undefined || row.registry === filter.registry) &&
    inRepositories(row.repository, filter.repositories) &&
    (filter.includeDeleted === true || !row.deleted);
  const current = tagRows.filter((row) => row.rowType === 'tag' && selected(row));
  const wanted = filter.status ?? 'noncompliant';
  const tags = current
    .filter((row) => wanted === 'any' || row.status === wanted)
    .filter((row) => filter.since === undefined || row.eventTime >= filter.since)
    .map(tagLine)
    .sort(byName);
  const actions = actionRows
    .filter((row) => row.rowType === 'action' && selected(row))
    .filter((row) => filter.since === undefined || row.checkedAt >= filter.since)
    .map(actionLine)
    .sort((a, b) => b.at.localeCompare(a.at) || byName(a, b));
  return {
    generatedAt,
    filter,
    totals: totalsOf(current),
    repositories: repositoryLines(current),
    tags,
    actions,
  };
}

/** One partition when the filter names one repository exactly; else all tag rows. */
function tagQuery(filter: ReportFilter): RecordFilter {
  const [only, ...more] = filter.repositories ?? [];
  const exact = only !== undefined && more.length === 0 && !/[*?]/.test(only);
  return {
    rowType: 'tag',
    ...(filter.registry !== undefined ? { registry: filter.registry } : {}),
    ...(exact && filter.registry !== undefined ? { repository: only } : {}),
  };
}

function inRepositories(repository: string, globs: readonly string[] | undefined): boolean {
  return globs === undefined || globs.length === 0 || globs.some((g) => matchesGlob(repository, g));
}

function totalsOf(rows: readonly ComplianceRecord[]): Report['totals'] {
  const byStatus: Record<Status, number> = { compliant: 0, noncompliant: 0, exempt: 0, error: 0 };
  const byKind: Record<string, number> = {};
  for (const row of rows) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    byKind[row.kind] = (byKind[row.kind] ?? 0) + 1;
  }
  return { tags: rows.length, byStatus, byKind, compliancePercent: compliancePercent(byStatus) };
}

function repositoryLines(rows: readonly ComplianceRecord[]): RepositoryLine[] {
  const lines = new Map<string, Omit<RepositoryLine, 'compliancePercent'>>();
  for (const row of rows) {
    const key = `${row.registry}/${row.repository}`;
    const line = lines.get(key) ?? {
      registry: row.registry,
      repository: row.repository,
      tags: 0,
      compliant: 0,
      noncompliant: 0,
      exempt: 0,
      error: 0,
    };
    lines.set(key, { ...line, tags: line.tags + 1, [row.status]: line[row.status] + 1 });
  }
  return [...lines.values()]
    .map((line) => ({ ...line, compliancePercent: compliancePercent(line) }))
    .sort(
      (a, b) =>
        (a.compliancePercent ?? 101) - (b.compliancePercent ?? 101) ||
        b.noncompliant - a.noncompliant ||
        byName(a, b),
    );
}

function tagLine(row: ComplianceRecord): TagLine {
  return {
    registry: row.registry,
    repository: row.repository,
    tag: row.tag,
    digest: row.digest,
    status: row.status,
    kind: row.kind,
    artifact: row.artifact ?? '',
    mediaType: row.mediaType,
    reasons: reasonsOf(row),
    action: row.action ?? 'none',
    actionDetail: row.actionDetail ?? '',
    eventTime: row.eventTime,
    checkedAt: row.checkedAt,
    deleted: row.deleted === true,
  };
}

function actionLine(row: ComplianceRecord): ActionLine {
  return {
    at: row.checkedAt,
    registry: row.registry,
    repository: row.repository,
    tag: row.tag,
    digest: row.digest,
    action: row.action,
    detail: row.actionDetail ?? '',
    status: row.status,
    reasons: row.reasons ?? '',
  };
}

/** The reasons with their sentences and fixes; the ids alone when the JSON is unreadable. */
export function reasonsOf(row: Pick<ComplianceRecord, 'reasons' | 'reasonDetails'>): Reason[] {
  try {
    const parsed: unknown = JSON.parse(row.reasonDetails ?? '');
    if (Array.isArray(parsed) && parsed.every(isReason)) return parsed;
  } catch {
    // Falls through to the ids: a truncated or hand-edited row still says something.
  }
  const ids = (row.reasons ?? '').split(',').filter((id) => id !== '');
  return ids.map((id) => ({ id, message: '' }));
}

function isReason(value: unknown): value is Reason {
  const reason = value as Partial<Reason> | null;
  return typeof reason?.id === 'string' && typeof reason.message === 'string';
}

function byName(
  a: { registry: string; repository: string; tag?: string },
  b: { registry: string; repository: string; tag?: string },
): number {
  return (
    a.registry.localeCompare(b.registry) ||
    a.repository.localeCompare(b.repository) ||
    (a.tag ?? '').localeCompare(b.tag ?? '')
  );
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/**
 * A `--since` or `since=` value: an ISO date or time, or an age such as `7d`, `12h`, `30m`.
 * Returns the ISO time, or undefined when the text is neither.
 */
export function parseSince(text: string, now: Date = new Date()): string | undefined {
  const age = /^(\d{1,5})([dhm])$/.exec(text.trim());
  if (age) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[age[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(age[1]) * unit).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
