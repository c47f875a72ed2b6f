/**
 * ACR events at the edge: Event Grid schema or CloudEvents 1.0, every field untrusted.
 * Parsing names the bad field; nothing here talks to a registry.
 */
import { isDigest, isRegistry, isRepository, isTag } from './reference.js';

export type EventAction = 'ImagePushed' | 'ImageDeleted' | 'ChartPushed' | 'ChartDeleted';

const eventPrefix = 'Microsoft.ContainerRegistry.';
const actions: readonly EventAction[] = [
  'ImagePushed',
  'ImageDeleted',
  'ChartPushed',
  'ChartDeleted',
];

export interface RegistryEvent {
  readonly id: string;
  readonly action: EventAction;
  /** The full event type as delivered. */
  readonly eventType: string;
  /** ISO 8601; orders pushes of one tag. */
  readonly eventTime: string;
  /** The login server, lower-case. */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  readonly mediaType?: string;
  readonly size?: number;
  readonly actor?: string;
}

/** An event we recognise but do not act on, for the one log line. */
export interface IgnoredEvent {
  readonly id: string;
  readonly eventType: string;
  readonly ignored: true;
}

export class EventError extends Error {
  override readonly name = 'EventError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`event field "${field}": ${message}`);
  }
}

type Json = Record<string, unknown>;

/** Parses one delivered event of either schema. Throws EventError naming the field. */
export function parseEvent(raw: unknown): RegistryEvent | IgnoredEvent {
  const event = object(raw, '(event)');
  const cloud = 'specversion' in event;
  const id = text(event, 'id');
  const eventType = text(event, cloud ? 'type' : 'eventType');
  const time = optionalText(event, cloud ? 'time' : 'eventTime');

  const action = eventType.startsWith(eventPrefix)
    ? actions.find((a) => eventType === eventPrefix + a)
    : undefined;
  if (action === undefined) return { id, eventType, ignored: true };

  const data = object(event.data, 'data');
  const target = object(data.target, 'data.target');
  const request = data.request === undefined ? {} : object(data.request, 'data.request');
  const registry = registryOf(request, event, cloud);
  const repository = text(target, 'repository', 'data.target');
  if (!isRepository(repository)) {
    throw new EventError('data.target.repository', `"${repository}" is not a repository name`);
  }

  const tag = optionalText(target, 'tag', 'data.target');
  if (tag !== undefined && !isTag(tag)) {
    throw new EventError('data.target.tag', `"${tag}" is not a tag`);
  }
  const digest = optionalText(target, 'digest', 'data.target');
  if (digest !== undefined && !isDigest(digest)) {
    throw new EventError('data.target.digest', `"${digest}" is not a sha256 digest`);
  }
  // Image events name content by digest; chart events may carry only the tag (the version).
  if (action.startsWith('Image') && digest === undefined) {
    throw new EventError('data.target.digest', 'missing');
  }

  const eventTime = timeOf(time ?? optionalText(data, 'timestamp', 'data'));
  const size = optionalNumber(target, 'size', 'data.target');
  const actorObject = data.actor === undefined ? {} : object(data.actor, 'data.actor');
  const actor = optionalText(actorObject, 'name', 'data.actor');
  const mediaType = optionalText(target, 'mediaType', 'data.target');

  return {
    id,
    action,
    eventType,
    eventTime,
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
    ...(mediaType !== undefined ? { mediaType } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(actor !== undefined ? { actor } : {}),
  };
}

export function isIgnored(event: RegistryEvent | IgnoredEvent): event is IgnoredEvent {
  return 'ignored' in event;
}

/**
 * The login server: `data.request.host` is what ACR fills in; the CloudEvents `source`
 * (or Event Grid `topic`) names the registry resource, not its host, so it is no substitute.
 */
function registryOf(request: Json, event: Json, cloud: boolean): string {
  const host = optionalText(request, 'host', 'data.request');
  if (host === undefined) {
    const where = cloud ? 'source' : 'topic';
    throw new EventError('data.request.host', `missing (the login server; ${where} is not one)`);
  }
  const registry = host.toLowerCase();
  if (!isRegistry(registry)) {
    throw new EventError('data.request.host', `"${host}" is not a login server`);
  }
  void event;
  return registry;
}

function timeOf(value: string | undefined): string {
  if (value === undefined) throw new EventError('eventTime', 'missing (also no data.timestamp)');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new EventError('eventTime', `"${value}" is not an ISO 8601 time`);
  return new Date(ms).toISOString();
}

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EventError(field, `expected an object, got ${describe(value)}`);
  }
  return value as Json;
}

function text(obj: Json, key: string, parent?: string): string {
  const value = optionalText(obj, key, parent);
  if (value === undefined) throw new EventError(path(parent, key), 'missing');
  return value;
}

function optionalText(obj: Json, key: string, parent?: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new EventError(path(parent, key), `expected a string, got ${describe(value)}`);
  }
  if (value.length > 1024) throw new EventError(path(parent, key), 'longer than 1024 characters');
  return value;
}

function optionalNumber(obj: Json, key: string, parent: string): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new EventError(path(parent, key), `expected a byte count, got ${describe(value)}`);
  }
  return value;
}

function path(parent: string | undefined, key: string): string {
  return parent === undefined ? key : `${parent}.${key}`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.slice(0, 40)}"`;
  return typeof value;
}
