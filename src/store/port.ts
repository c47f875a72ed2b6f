/**
 * The compliance store port. The Table Storage adapter implements it; a contract suite runs
 * against Azurite.
 */
import type { Status } from '../domain/verdict-types.js';
import type { ComplianceRecord, RowType } from './records.js';

/** What a tag write did: wrote, found the same state already, or found a newer push. */
export type TagWrite = 'written' | 'unchanged' | 'stale';

export interface RecordFilter {
  readonly registry?: string;
  readonly repository?: string;
  readonly rowType?: RowType;
  readonly status?: Status;
  /** ISO time: rows checked at or after it. */
  readonly since?: string;
}

/** Where a tag to act on stands: identifies the tag row and the push being acted on. */
export interface ActionKey {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly eventId: string;
}

/**
 * claimed: this caller acts now. done: acted on already. busy: another invocation holds a
 * fresh claim. superseded: the tag row is about another push now.
 */
export type ClaimResult = 'claimed' | 'done' | 'busy' | 'superseded';

export interface ActionLedger {
  /** Claims the action on a tag row with its etag, so one invocation acts at a time. */
  claimAction(key: ActionKey, action: string, now: string, leaseMs: number): Promise<ClaimResult>;
  /** Ends a claim: the action, its detail and final state, on the tag row if still that push's. */
  completeAction(
    key: ActionKey,
    action: string,
    detail: string,
    state: 'done' | 'failed',
  ): Promise<void>;
  /** Notes a push the app is about to make, before it makes it. */
  markOwnPush(key: Omit<ActionKey, 'eventId'>, detail: string): Promise<void>;
  /** The note of an own push of this tag and digest, if the app made it. */
  ownPush(key: Omit<ActionKey, 'eventId'>): Promise<string | undefined>;
}

/**
 * How far reconcile has swept a registry: every tag updated before `sweptUntil` was looked at
 * by a finished pass; a pass stopped by its request budget continues at `resumeAt`.
 */
export interface SweepMarker {
  readonly registry: string;
  readonly sweptUntil?: string;
  /** When the pass in progress started; it becomes `sweptUntil` once the pass finishes. */
  readonly passStartedAt?: string;
  readonly resumeAt?: string;
  readonly updatedAt: string;
  /** The last run's summary, as JSON, for ops. */
  readonly lastRun?: string;
}

export interface ComplianceStore extends ActionLedger {
  readonly tableName: string;
  ensureTable(): Promise<void>;
  getDigest(
    registry: string,
    repository: string,
    digest: string,
  ): Promise<ComplianceRecord | undefined>;
  /**
   * Writes a digest verdict; an identical verdict already there is left as it is. A caller
   * that has just read the row passes it as `previous`, which saves reading it again.
   */
  putDigest(
    record: ComplianceRecord,
    read?: { readonly previous: ComplianceRecord | undefined },
  ): Promise<'written' | 'unchanged'>;
  getTag(registry: string, repository: string, tag: string): Promise<ComplianceRecord | undefined>;
  /** Writes a tag's state unless a newer push (later eventTime) is recorded already. */
  putTag(record: ComplianceRecord): Promise<TagWrite>;
  /** Marks the digest row and the tag rows still on that digest deleted; returns rows marked. */
  markDeleted(
    registry: string,
    repository: string,
    digest: string,
    eventTime: string,
    eventId: string,
  ): Promise<number>;
  /** Appends to the action history; the same action at the same time is written once. */
  appendAction(record: ComplianceRecord): Promise<void>;
  /** Keeps an event refused at the edge (malformed, registry not allowed) for ops to see. */
  recordRejectedEvent(record: ComplianceRecord): Promise<void>;
  query(filter: RecordFilter): AsyncIterable<ComplianceRecord>;
  getSweepMarker(registry: string): Promise<SweepMarker | undefined>;
  putSweepMarker(marker: SweepMarker): Promise<void>;
}

/** The store could not be reached or answered unexpectedly; worth a retry. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
}
