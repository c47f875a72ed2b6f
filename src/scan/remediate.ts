/**
 * Acting on a noncompliant tagged push (REMEDIATION=quarantine|retag). Every step is
 * idempotent and the tag row is claimed first, so redeliveries and racing instances act once
 * and a failure half way is resumed by the retry.
 */
import type { Config } from '../config.js';
import type { RegistryEvent } from '../domain/events.js';
import type { Logger } from '../log.js';
import { RegistryError, type RegistryPort } from '../registry/port.js';
import type { ActionKey, ComplianceStore } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import { quarantine } from './quarantine.js';
import { retag } from './retag.js';

export type RemediationConfig = Pick<
  Config,
  'remediation' | 'dryRun' | 'retagFallback' | 'retagBackupSuffix' | 'retagSigned'
>;

export interface RemediationDeps {
  readonly config: RemediationConfig;
  readonly registry: RegistryPort;
  readonly store: ComplianceStore;
  readonly log: Logger;
  readonly now: string;
}

export interface ActionResult {
  /** none, quarantine, retag, ...; prefixed `dry-run:` when nothing was changed. */
  readonly action: string;
  readonly detail: string;
}

/** Another invocation is acting on this tag right now; Event Grid should redeliver later. */
export class ActionInProgressError extends Error {
  override readonly name = 'ActionInProgressError';
}

/** Long enough for one invocation (Event Grid waits 30 s), short enough to resume soon. */
const leaseMs = 45_000;

export async function remediate(
  event: RegistryEvent & { tag: string; digest: string },
  verdict: ComplianceRecord,
  deps: RemediationDeps,
): Promise<ActionResult | undefined> {
  const { config, store, registry } = deps;
  if (config.remediation === 'record' || verdict.status !== 'noncompliant') return undefined;

  const key: ActionKey = {
    registry: event.registry,
    repository: event.repository,
    tag: event.tag,
    digest: event.digest,
    eventId: event.id,
  };
  const mode = config.remediation;
  const claim = await store.claimAction(key, mode, deps.now, leaseMs);
  if (claim === 'busy') {
    throw new ActionInProgressError(
      `another invocation is acting on ${event.repository}:${event.tag}`,
    );
  }
  if (claim !== 'claimed') return undefined;

  let result: ActionResult;
  try {
    // Tags move: act only if the tag still names the pushed content.
    const current = await registry.resolveTag(event.repository, event.tag);
    if (current !== event.digest) {
      result = { action: 'none', detail: `tag moved to ${current ?? '(deleted)'}; not acted on` };
    } else if (mode === 'quarantine') {
      result = await quarantine(key, verdict, deps);
    } else {
      result = await retag(key, verdict, deps);
    }
  } catch (err) {
    const detail = `failed: ${err instanceof Error ? err.message : String(err)}`;
    // Named apart from a done action, so `action eq 'quarantine'` finds only locked content.
    await store.completeAction(key, `${mode}-failed`, detail, 'failed');
    deps.log.error({ decision: 'remediate', ...logKey(key), action: mode, error: detail });
    // Transient failures go back to Event Grid, whose redelivery resumes under a new claim;
    // a refusal for good is recorded and not retried for a day.
    if (!(err instanceof RegistryError) || err.transient) throw err;
    result = { action: `${mode}-failed`, detail };
  }

  if (!result.action.endsWith('-failed')) {
    await store.completeAction(key, result.action, result.detail, 'done');
  }
  await store.appendAction({
    ...verdict,
    rowType: 'action',
    tag: event.tag,
    eventTime: event.eventTime,
    eventId: event.id,
    checkedAt: deps.now,
    action: result.action,
    actionDetail: result.detail,
  });
  deps.log.info({
    decision: 'remediate',
    ...logKey(key),
    status: verdict.status,
    action: result.action,
    detail: result.detail,
  });
  return result;
}

function logKey(key: ActionKey) {
  return { registry: key.registry, repository: key.repository, tag: key.tag, digest: key.digest };
}

/** The words recorded for an action: who, and why. */
export function because(verdict: ComplianceRecord): string {
  return `by mediatype-guard; reasons: ${verdict.reasons || '(none)'}`;
}
