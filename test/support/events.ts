/**
 * ACR events shaped as Event Grid and CloudEvents deliver them (REFERENCE.md, ACR events),
 * for tests that call the exported handlers.
 */
import { randomUUID } from 'node:crypto';

export interface PushFacts {
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly tag?: string;
  readonly mediaType?: string;
  readonly size?: number;
  /** ISO time; defaults to now. */
  readonly time?: string;
  readonly id?: string;
  readonly action?: 'ImagePushed' | 'ImageDeleted' | 'ChartPushed' | 'ChartDeleted';
}

function data(facts: PushFacts, time: string) {
  const deleted = facts.action === 'ImageDeleted' || facts.action === 'ChartDeleted';
  return {
    id: randomUUID(),
    timestamp: time,
    action: deleted ? 'delete' : 'push',
    location: 'westeurope',
    target: {
      mediaType: facts.mediaType,
      size: facts.size,
      length: facts.size,
      digest: facts.digest,
      repository: facts.repository,
      ...(facts.tag !== undefined && !deleted ? { tag: facts.tag } : {}),
    },
    request: {
      id: randomUUID(),
      addr: '10.0.0.4',
      host: facts.registry,
      method: deleted ? 'DELETE' : 'PUT',
      useragent: 'docker/27.3.1 go/go1.22.7 (buildx)',
    },
    actor: { name: 'ci-pipeline' },
    source: { addr: 'reg-westeurope-1', instanceID: randomUUID() },
  };
}

/** An Event Grid schema event (one element of the delivered array). */
export function gridEvent(facts: PushFacts) {
  const time = facts.time ?? new Date().toISOString();
  const action = facts.action ?? 'ImagePushed';
  return {
    id: facts.id ?? randomUUID(),
    topic:
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg',
    subject: facts.tag ? `${facts.repository}:${facts.tag}` : facts.repository,
    eventType: `Microsoft.ContainerRegistry.${action}`,
    eventTime: time,
    data: data(facts, time),
    dataVersion: '1.0',
    metadataVersion: '1',
  };
}

/** A CloudEvents 1.0 event. */
export function cloudEvent(facts: PushFacts) {
  const time = facts.time ?? new Date().toISOString();
  const action = facts.action ?? 'ImagePushed';
  return {
    specversion: '1.0',
    id: facts.id ?? randomUUID(),
    source:
      '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/reg',
    type: `Microsoft.ContainerRegistry.${action}`,
    subject: facts.tag ? `${facts.repository}:${facts.tag}` : facts.repository,
    time,
    datacontenttype: 'application/json',
    data: data(facts, time),
  };
}
