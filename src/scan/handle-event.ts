/**
 * The push-time use case: one ACR event in, rows in the compliance table out.
 * Throws only for transient failures, so Event Grid redelivers those and nothing else.
 */
import { createHash } from 'node:crypto';
import { EventError, isIgnored, parseEvent, type RegistryEvent } from '../domain/events.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { RegistryPort } from '../registry/port.js';
import type { ComplianceStore } from '../store/port.js';
import { recordPush, type PushOutcome } from './record-push.js';
import { plainRecord } from './to-record.js';

export interface EventDeps {
  readonly config: Config;
  /** Only ever called with an allowed registry. */
  readonly registryFor: (registry: string) => RegistryPort;
  readonly store: ComplianceStore;
  readonly log: Logger;
  readonly now?: () => Date;
}

export type EventOutcome =
  | { readonly kind: 'ignored'; readonly eventType: string }
  | { readonly kind: 'rejected'; readonly error: string }
  | { readonly kind: 'deleted'; readonly rows: number }
  | { readonly kind: 'recorded'; readonly push: PushOutcome };

export async function handleEvent(raw: unknown, deps: EventDeps): Promise<EventOutcome> {
  const now = (deps.now ?? (() => new Date()))().toISOString();

  let event;
  try {
    event = parseEvent(raw);
  } catch (err) {
    if (!(err instanceof EventError)) throw err;
    return reject(raw, err.message, now, deps);
  }
  if (isIgnored(event)) {
    deps.log.info({ decision: 'ignore', eventId: event.id, eventType: event.eventType });
    return { kind: 'ignored', eventType: event.eventType };
  }
  // Checked before any outbound call: an event must never make us talk to a host it names.
  if (!deps.config.allowedRegistries.includes(event.registry)) {
    const message = `registry "${event.registry}" is not in ALLOWED_REGISTRIES`;
    return reject(raw, message, now, deps, event);
  }

  switch (event.action) {
    case 'ImageDeleted':
    case 'ChartDeleted':
      return markDeleted(event, deps);
    case 'ImagePushed':
    case 'ChartPushed':
      return { kind: 'recorded', push: await recordPush(event, now, deps) };
  }
}

async function markDeleted(event: RegistryEvent, deps: EventDeps): Promise<EventOutcome> {
  const { registry, repository, digest, tag } = event;
  if (digest === undefined) {
    deps.log.warn({
      decision: 'ignore',
      registry,
      repository,
      tag,
      eventId: event.id,
      error: 'delete without digest',
    });
    return { kind: 'ignored', eventType: event.eventType };
  }
  const rows = await deps.store.markDeleted(
    registry,
    repository,
    digest,
    event.eventTime,
    event.id,
  );
  deps.log.info({ decision: 'deleted', registry, repository, digest, eventId: event.id, rows });
  return { kind: 'deleted', rows };
}

async function reject(
  raw: unknown,
  message: string,
  now: string,
  deps: EventDeps,
  event?: RegistryEvent,
): Promise<EventOutcome> {
  const eventId = event?.id ?? idOf(raw);
  deps.log.error({
    decision: 'reject',
    registry: event?.registry,
    repository: event?.repository,
    eventId,
    error: message,
  });
  const id = event ? 'registry-not-allowed' : 'event-invalid';
  const record = plainRecord({
    rowType: 'event',
    registry: event?.registry ?? '',
    repository: event?.repository ?? '',
    tag: event?.tag ?? '',
    digest: event?.digest ?? '',
    mediaType: event?.mediaType ?? '',
    reasons: id,
    reasonDetails: JSON.stringify([{ id, message }]),
    eventTime: event?.eventTime ?? '',
    checkedAt: now,
    eventId,
    actionDetail: message,
  });
  await deps.store.recordRejectedEvent(record);
  return { kind: 'rejected', error: message };
}

/** The event's own id when it has a usable one, else a hash of its body. */
function idOf(raw: unknown): string {
  const id = (raw as { id?: unknown } | null)?.id;
  if (typeof id === 'string' && /^[\w.:-]{1,128}$/.test(id)) return id;
  const body = JSON.stringify(raw) ?? String(raw);
  return 'sha256-' + createHash('sha256').update(body).digest('hex');
}
