/**
 * The compliance table's rows and keys. Keys must be legal in real Azure Table Storage,
 * which forbids `/ \ # ?` and control characters; repository names contain `/`.
 */
import type { Kind, Policy, Reason, Status } from '../domain/verdict-types.js';

export type RowType = 'tag' | 'digest' | 'action' | 'event';

/** Every row carries these, so ops can filter on them (DESIGN.md, Compliance table). */
export interface ComplianceRecord {
  readonly rowType: RowType;
  readonly registry: string;
  readonly repository: string;
  /** Empty for digest rows. */
  readonly tag: string;
  readonly digest: string;
  readonly mediaType: string;
  readonly kind: Kind;
  readonly status: Status;
  /** Reason ids, comma-separated, for filters such as `reasons ge 'oci'`. */
  readonly reasons: string;
  /** What was done: none, quarantine, release, retag, ... (`dry-run:` prefix in a dry run). */
  readonly action: string;
  readonly eventTime: string;
  readonly checkedAt: string;
  readonly policy: Policy;
  /** The reasons with their sentences and fixes, as JSON. */
  readonly reasonDetails: string;
  readonly artifact: string;
  readonly convertible: boolean;
  /** Image or index details, as JSON (bounded below the 64 KiB property limit). */
  readonly details: string;
  readonly deleted: boolean;
  readonly eventId: string;
  /** Free text about the action: who, why, the converted digest, an error. */
  readonly actionDetail: string;
  /** Tag rows under remediation: '' | claimed | done | failed (see store/action-claims.ts). */
  readonly actionState?: string;
  readonly claimedAt?: string;
}

/** Separator inside keys: legal in Azure keys and never part of a login server or repository. */
const sep = '|';

export function partitionKey(registry: string, repository: string): string {
  return `${registry}${sep}${repository.split('/').join(sep)}`;
}

export function parsePartitionKey(key: string): { registry: string; repository: string } {
  const [registry = '', ...parts] = key.split(sep);
  return { registry, repository: parts.join('/') };
}

/** Pushes the app makes itself, so their events are never remediated (no loops). */
export function ownPushRowKey(tag: string, digest: string): string {
  return `own${sep}${tag}${sep}${digest}`;
}

export const rowPrefix: Readonly<Record<RowType, string>> = {
  tag: `tag${sep}`,
  digest: `digest${sep}`,
  action: `action${sep}`,
  event: `event${sep}`,
};

/** Events refused at the edge have no trustworthy registry or repository: one partition. */
export const rejectedPartition = 'rejected-events';

/** Reconcile's progress, one row per registry, away from the repositories' partitions. */
export const sweepPartition = 'reconcile-sweeps';

export function sweepRowKey(registry: string): string {
  return `sweep${sep}${registry}`;
}

/** One row per event id, so a redelivered bad event does not add rows. */
export function eventRowKey(eventId: string): string {
  return `${rowPrefix.event}${[...eventId.slice(0, 200)].map(keySafe).join('')}`;
}

/** Azure refuses `/`, backslash, `#`, `?` and control characters in keys. */
function keySafe(char: string): string {
  const code = char.charCodeAt(0);
  return '/\\#?'.includes(char) || code < 0x20 || code === 0x7f ? '_' : char;
}

export function tagRowKey(tag: string): string {
  return rowPrefix.tag + tag;
}

export function digestRowKey(digest: string): string {
  return rowPrefix.digest + digest;
}

/** Time-ordered, then unique per digest and action, so a repeat writes the same row. */
export function actionRowKey(at: string, digest: string, action: string): string {
  return `${rowPrefix.action}${at}${sep}${digest}${sep}${action}`;
}

/** Builds the reason columns from a verdict's reasons. */
export function reasonColumns(reasons: readonly Reason[]): {
  reasons: string;
  reasonDetails: string;
} {
  return {
    reasons: reasons.map((r) => r.id).join(','),
    reasonDetails: bounded(JSON.stringify(reasons)),
  };
}

/** Table properties hold at most 64 KiB (32K UTF-16 characters); keep well inside. */
export function bounded(json: string, max = 30_000): string {
  return json.length <= max ? json : JSON.stringify({ truncated: true, length: json.length });
}
