import { describe, expect, it } from 'vitest';
import { EventError, isIgnored, parseEvent } from '../../../src/domain/events.js';

const digest = 'sha256:' + 'a'.repeat(64);

function gridEvent(overrides: Record<string, unknown> = {}, target: Record<string, unknown> = {}) {
  return {
    id: 'evt-1',
    topic: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r',
    subject: 'team/app:1.0',
    eventType: 'Microsoft.ContainerRegistry.ImagePushed',
    eventTime: '2026-12-01T10:00:00.000Z',
    dataVersion: '1.0',
    metadataVersion: '1',
    data: {
      id: 'push-1',
      timestamp: '2026-12-01T10:00:00.000Z',
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.index.v1+json',
        size: 1234,
        digest,
        repository: 'team/app',
        tag: '1.0',
        ...target,
      },
      request: { id: 'r', host: 'myreg.azurecr.io', method: 'PUT', useragent: 'buildkit' },
      actor: { name: 'ci-bot' },
    },
    ...overrides,
  };
}

function cloudEvent() {
  const { data } = gridEvent();
  return {
    specversion: '1.0',
    id: 'ce-1',
    source: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r',
    type: 'Microsoft.ContainerRegistry.ImagePushed',
    time: '2026-12-01T10:00:00Z',
    subject: 'team/app:1.0',
    data,
  };
}

describe('parseEvent', () => {
  it('reads an Event Grid schema push', () => {
    expect(parseEvent(gridEvent())).toEqual({
      id: 'evt-1',
      action: 'ImagePushed',
      eventType: 'Microsoft.ContainerRegistry.ImagePushed',
      eventTime: '2026-12-01T10:00:00.000Z',
      registry: 'myreg.azurecr.io',
      repository: 'team/app',
      tag: '1.0',
      digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      size: 1234,
      actor: 'ci-bot',
    });
  });

  it('reads a CloudEvents 1.0 push the same way', () => {
    const event = parseEvent(cloudEvent());
    expect(event).toMatchObject({
      id: 'ce-1',
      action: 'ImagePushed',
      registry: 'myreg.azurecr.io',
    });
    expect(event).toMatchObject({ eventTime: '2026-12-01T10:00:00.000Z' });
  });

  it('reads an untagged child push by digest', () => {
    const event = parseEvent(gridEvent({}, { tag: undefined }));
    expect(event).not.toHaveProperty('tag');
  });

  it('ignores event types it does not act on', () => {
    const event = parseEvent(gridEvent({ eventType: 'Microsoft.Storage.BlobCreated' }));
    expect(isIgnored(event)).toBe(true);
  });

  it.each([
    ['not an object', 'hello', '(event)'],
    ['an array', [], '(event)'],
    ['no id', gridEvent({ id: undefined }), 'id'],
    ['no data', gridEvent({ data: undefined }), 'data'],
    ['data.target a string', gridEvent({ data: { target: 'x' } }), 'data.target'],
    ['numeric repository', gridEvent({}, { repository: 7 }), 'data.target.repository'],
    ['bad repository', gridEvent({}, { repository: 'Team/App' }), 'data.target.repository'],
    ['bad tag', gridEvent({}, { tag: '-x' }), 'data.target.tag'],
    ['bad digest', gridEvent({}, { digest: 'md5:abc' }), 'data.target.digest'],
    ['missing digest', gridEvent({}, { digest: undefined }), 'data.target.digest'],
    ['negative size', gridEvent({}, { size: -1 }), 'data.target.size'],
    ['bad time', gridEvent({ eventTime: 'yesterday' }), 'eventTime'],
    [
      'no login server',
      gridEvent({ data: { ...gridEvent().data, request: {} } }),
      'data.request.host',
    ],
    [
      'a URL as login server',
      gridEvent({ data: { ...gridEvent().data, request: { host: 'https://evil/' } } }),
      'data.request.host',
    ],
  ])('refuses %s and names the field', (_name, raw, field) => {
    let error: unknown;
    try {
      parseEvent(raw);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EventError);
    expect((error as EventError).field).toBe(field);
    expect((error as EventError).message).toContain(field);
  });

  it('parses a delete event with no tag', () => {
    const event = parseEvent(
      gridEvent({ eventType: 'Microsoft.ContainerRegistry.ImageDeleted' }, { tag: undefined }),
    );
    expect(event).toMatchObject({ action: 'ImageDeleted', digest });
  });

  it('accepts a chart push that carries a tag but no digest', () => {
    const event = parseEvent(
      gridEvent({ eventType: 'Microsoft.ContainerRegistry.ChartPushed' }, { digest: undefined }),
    );
    expect(event).toMatchObject({ action: 'ChartPushed', tag: '1.0' });
  });
});
