/**
 * One tag of a registry walk, recorded through the same path as a push event: the tag listing
 * stands in for the event that was never delivered, with the tag's last update as its time.
 */
import type { RegistryEvent } from '../domain/events.js';
import type { Policy } from '../domain/verdict-types.js';
import type { TagInfo } from '../registry/port.js';
import type { TagWrite } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import type { EventDeps } from './handle-event.js';
import { inspect } from './inspect.js';
import { recordPush } from './record-push.js';
import { toRecord } from './to-record.js';

export interface TagItem {
  readonly repository: string;
  readonly tag: TagInfo;
  /** The tag's row before this run, if any. */
  readonly existing?: ComplianceRecord;
}

export interface TagRun {
  /** The login server walked. */
  readonly registry: string;
  readonly deps: EventDeps;
  /** Who records: `scan` or `reconcile`; becomes part of the rows' eventId. */
  readonly source: string;
  /** Classify again even content the table knows. */
  readonly rescan: boolean;
  /** The time to record as checkedAt, ISO. */
  readonly now: () => string;
  /** Digests classified again in this run (rescan), shared by tags on the same content. */
  readonly refreshed: Map<string, Promise<void>>;
}

export type TagOutcome =
  | { readonly kind: 'skipped'; readonly record: ComplianceRecord }
  | {
      readonly kind: 'recorded';
      readonly record: ComplianceRecord;
      readonly fetched: boolean;
      readonly tagWrite?: TagWrite;
      readonly action?: string;
    };

/**
 * The tag's row already holds this content's verdict under this policy: nothing to do. Rows
 * in error are tried again, since errors are often access or timing problems.
 */
export function isCurrent(
  existing: ComplianceRecord | undefined,
  digest: string,
  policy: Policy,
): existing is ComplianceRecord {
  return (
    existing !== undefined &&
    existing.digest === digest &&
    !existing.deleted &&
    existing.policy === policy &&
    existing.status !== 'error'
  );
}

export async function scanTag(item: TagItem, run: TagRun): Promise<TagOutcome> {
  const { deps } = run;
  const policy = deps.config.policy;
  if (!run.rescan && isCurrent(item.existing, item.tag.digest, policy)) {
    return { kind: 'skipped', record: item.existing };
  }
  const now = run.now();
  if (run.rescan) await refreshDigest(item, run, now);

  const push = await recordPush(pushOf(item, run.source, run.registry, now), now, deps);
  return {
    kind: 'recorded',
    record: push.digestRecord,
    fetched: push.fetched,
    ...(push.tagWrite ? { tagWrite: push.tagWrite } : {}),
    ...(push.action ? { action: push.action.action } : {}),
  };
}

/**
 * The push the listing shows. When the row already holds this digest its event time is kept,
 * so the store sees the same push again and keeps what was done to it; otherwise the tag's
 * last update orders it against pushes recorded from events.
 */
export function pushOf(
  item: TagItem,
  source: string,
  registry: string,
  now: string,
): RegistryEvent {
  const { repository, tag, existing } = item;
  const eventTime =
    existing?.digest === tag.digest ? existing.eventTime : (tag.lastUpdatedOn ?? now);
  // Stable for the same push, so a rerun after a crash resumes the same remediation claim.
  const hex = tag.digest.slice('sha256:'.length, 'sha256:'.length + 12);
  return {
    id: `${source}-${eventTime}-${hex}`,
    action: 'ImagePushed',
    eventType: source,
    eventTime,
    registry,
    repository,
    tag: tag.name,
    digest: tag.digest,
  };
}

/** Classifies the content again and replaces its digest row; once per digest and run. */
async function refreshDigest(item: TagItem, run: TagRun, now: string): Promise<void> {
  const { deps, registry } = run;
  const key = `${item.repository}@${item.tag.digest}`;
  let pending = run.refreshed.get(key);
  if (!pending) {
    pending = (async () => {
      const { policy, exemptRepositories } = deps.config;
      const source = deps.registryFor(registry);
      const { verdict } = await inspect(source, item.repository, item.tag.digest, item.tag.name, {
        policy,
        exemptRepositories,
      });
      const context = {
        registry,
        repository: item.repository,
        eventTime: item.tag.lastUpdatedOn ?? now,
        eventId: `${run.source}-rescan`,
        checkedAt: now,
      };
      await deps.store.putDigest(
        toRecord('digest', { ...verdict, digest: item.tag.digest }, context),
      );
    })();
    run.refreshed.set(key, pending);
    // A failed refresh is tried again by the tag's retry, not remembered.
    pending.catch(() => run.refreshed.delete(key));
  }
  await pending;
}
