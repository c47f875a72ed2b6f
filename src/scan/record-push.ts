/**
 * A push: classify the content once per digest, then move the tag's state, never backwards.
 */
import type { RegistryEvent } from '../domain/events.js';
import { isExemptRepository } from '../domain/policy.js';
import type { Verdict } from '../domain/verdict-types.js';
import type { TagWrite } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import type { EventDeps } from './handle-event.js';
import { inspect } from './inspect.js';
import { remediate, type ActionResult } from './remediate.js';
import { toRecord, type RecordContext } from './to-record.js';

export interface PushOutcome {
  readonly digestRecord: ComplianceRecord;
  readonly tagWrite?: TagWrite;
  /** False when the verdict came from the table: content already seen costs no registry call. */
  readonly fetched: boolean;
  /** What remediation did, when it ran. */
  readonly action?: ActionResult;
}

export async function recordPush(
  event: RegistryEvent,
  now: string,
  deps: EventDeps,
): Promise<PushOutcome> {
  const { registry, repository, tag } = event;
  const context: RecordContext = {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    eventTime: event.eventTime,
    eventId: event.id,
    checkedAt: now,
  };

  const { record: digestRecord, fetched } = await verdictFor(event, context, deps);
  let tagWrite: TagWrite | undefined;
  if (tag !== undefined) {
    const tagRecord: ComplianceRecord = {
      ...digestRecord,
      rowType: 'tag',
      tag,
      eventTime: event.eventTime,
      eventId: event.id,
      checkedAt: now,
      action: 'none',
      actionDetail: '',
    };
    tagWrite = await deps.store.putTag(tagRecord);
  }

  const fields = {
    decision: 'verdict',
    registry,
    repository,
    tag,
    digest: digestRecord.digest,
    mediaType: digestRecord.mediaType,
    status: digestRecord.status,
    reasons: digestRecord.reasons,
    eventId: event.id,
    tagWrite,
    fetched,
  };
  if (digestRecord.status === 'error') deps.log.warn(fields);
  else deps.log.info(fields);

  // An older push arriving late changed nothing, so there is nothing to act on.
  let action: ActionResult | undefined;
  const acting = deps.config.remediation !== 'record';
  if (acting && tag !== undefined && event.digest !== undefined && tagWrite !== 'stale') {
    action = await act({ ...event, tag, digest: event.digest }, digestRecord, now, deps);
  }
  return {
    digestRecord,
    ...(tagWrite ? { tagWrite } : {}),
    fetched,
    ...(action ? { action } : {}),
  };
}

async function act(
  event: RegistryEvent & { tag: string; digest: string },
  digestRecord: ComplianceRecord,
  now: string,
  deps: EventDeps,
): Promise<ActionResult | undefined> {
  const key = {
    registry: event.registry,
    repository: event.repository,
    tag: event.tag,
    digest: event.digest,
  };
  // The app's own pushes (converted manifests, backup tags) come back as events: never act on
  // them again, or a retag would loop.
  const own = await deps.store.ownPush(key);
  if (own !== undefined) {
    await deps.store.completeAction({ ...key, eventId: event.id }, 'own-push', own, 'done');
    deps.log.info({ decision: 'skip', ...key, action: 'own-push', detail: own });
    return { action: 'own-push', detail: own };
  }
  if (event.action !== 'ImagePushed') return undefined;
  const registry = deps.registryFor(event.registry);
  return remediate(event, digestRecord, {
    config: deps.config,
    registry,
    store: deps.store,
    log: deps.log,
    now,
  });
}

async function verdictFor(
  event: RegistryEvent,
  context: RecordContext,
  deps: EventDeps,
): Promise<{ record: ComplianceRecord; fetched: boolean }> {
  const { registry, repository, digest } = event;
  const { policy, exemptRepositories } = deps.config;

  if (event.action === 'ChartPushed') {
    const record = toRecord('digest', chartVerdict(event, policy), context);
    if (digest !== undefined) await deps.store.putDigest(record);
    return { record, fetched: false };
  }

  // parseEvent guarantees a digest on image events.
  const known = await deps.store.getDigest(registry, repository, digest!);
  if (known && stillValid(known, repository, deps.config)) {
    return { record: known, fetched: false };
  }
  const options = { policy, exemptRepositories };
  const source = deps.registryFor(registry);
  const { verdict } = await inspect(source, repository, digest!, event.tag, options);
  const record = toRecord('digest', { ...verdict, digest: digest! }, context);
  await deps.store.putDigest(record, { previous: known });
  return { record, fetched: true };
}

/**
 * A recorded verdict answers for the same content as long as it was reached under the same
 * settings: the policy, and whether EXEMPT_REPOSITORIES covers the repository.
 */
function stillValid(
  known: ComplianceRecord,
  repository: string,
  config: EventDeps['config'],
): boolean {
  const exemptThen = known.reasons.split(',').includes('exempt-repository');
  const exemptNow = isExemptRepository(repository, config.exemptRepositories);
  return (
    !known.deleted &&
    known.status !== 'error' &&
    known.policy === config.policy &&
    exemptThen === exemptNow
  );
}

/** Chart events name a Helm chart; artifacts are exempt and never fetched or remediated. */
function chartVerdict(event: RegistryEvent, policy: Verdict['policy']): Verdict {
  const reason = { id: 'artifact', message: 'Helm chart: artifacts are exempt from the policy' };
  return {
    digest: event.digest ?? '',
    mediaType: event.mediaType ?? '',
    kind: 'artifact',
    artifact: 'helm-chart',
    status: 'exempt',
    reasons: [reason],
    policy,
    convertible: false,
    notConvertible: [reason],
  };
}
