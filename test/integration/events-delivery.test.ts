/**
 * Delivery as Event Grid really does it: at least once, unordered, sometimes for registries
 * we must not talk to, sometimes malformed, sometimes while the registry is failing.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import functions from '@azure/functions';
import { registryEventHandler } from '../../src/functions/onRegistryEvent.js';
import { EmulatorClient } from '../support/acr-emulator.js';
import { testApp, type TestApp } from '../support/app.js';
import { gridEvent } from '../support/events.js';
import { pushImage } from '../support/images.js';
import { PushClient } from '../support/push.js';

const { InvocationContext } = functions;
const services = inject('services');
const registry = services.emulator.host;
const run = randomUUID().slice(0, 8);
const emulator = new EmulatorClient(services.emulator.url);
const pusher = new PushClient({ url: services.emulator.url, credentials: services.emulator.admin });

let guard: TestApp;

beforeAll(async () => {
  guard = await testApp(services);
});

const repo = (name: string) => `delivery/${name}-${run}`;
const manifestGets = (repository: string) =>
  emulator.count({ method: 'GET', route: 'manifest', repository, status: 200 });

describe('at-least-once delivery', () => {
  it('leaves the same table state and fetches nothing more when an event comes twice', async () => {
    const repository = repo('twice');
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    const event = gridEvent({ registry, repository, tag: 'v1', digest: image.digest });

    const first = await guard.deliver(event);
    const rowAfterFirst = await guard.app.store.getTag(registry, repository, 'v1');
    const fetchesAfterFirst = await manifestGets(repository);
    const second = await guard.deliver(event);

    expect(first).toMatchObject({ kind: 'recorded', push: { fetched: true, tagWrite: 'written' } });
    expect(second).toMatchObject({
      kind: 'recorded',
      push: { fetched: false, tagWrite: 'unchanged' },
    });
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toEqual(rowAfterFirst);
    expect(await manifestGets(repository)).toBe(fetchesAfterFirst);
    expect(fetchesAfterFirst).toBe(1);
  });

  it('fetches content pushed under many tags and repositories once', async () => {
    const [a, b] = [repo('many-a'), repo('many-b')];
    const image = await pushImage(pusher, a, 'one', 'oci', { content: `shared ${run}` });
    await pushImage(pusher, b, 'one', 'oci', { content: `shared ${run}` });
    for (const [repository, tag] of [
      [a, 'one'],
      [a, 'two'],
      [b, 'one'],
    ] as const) {
      await guard.deliver(gridEvent({ registry, repository, tag, digest: image.digest }));
    }
    expect((await manifestGets(a)) + (await manifestGets(b))).toBe(1);
  });
});

describe('a settings change', () => {
  it('classifies known content again once EXEMPT_REPOSITORIES covers its repository', async () => {
    const repository = repo('exempted');
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    await guard.deliver(gridEvent({ registry, repository, tag: 'v1', digest: image.digest }));
    const exempting = await testApp(services, {
      COMPLIANCE_TABLE: guard.tableName,
      EXEMPT_REPOSITORIES: 'delivery/exempted-*',
    });

    const outcome = await exempting.deliver(
      gridEvent({ registry, repository, tag: 'v2', digest: image.digest }),
    );

    expect(outcome).toMatchObject({ push: { fetched: true } });
    expect(await guard.app.store.getTag(registry, repository, 'v2')).toMatchObject({
      status: 'exempt',
    });
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toMatchObject({
      status: 'noncompliant',
    });
  });
});

describe('out-of-order delivery', () => {
  it('never lets an older push overwrite the newer state of a tag', async () => {
    const repository = repo('order');
    const older = await pushImage(pusher, repository, 'app', 'oci', { content: 'old' });
    const newer = await pushImage(pusher, repository, 'app', 'docker', { content: 'new' });
    const olderEvent = gridEvent({
      registry,
      repository,
      tag: 'app',
      digest: older.digest,
      time: '2026-12-01T10:00:00.000Z',
    });
    const newerEvent = gridEvent({
      registry,
      repository,
      tag: 'app',
      digest: newer.digest,
      time: '2026-12-01T10:05:00.000Z',
    });

    await guard.deliver(newerEvent);
    const late = await guard.deliver(olderEvent);

    expect(late).toMatchObject({ push: { tagWrite: 'stale' } });
    expect(await guard.app.store.getTag(registry, repository, 'app')).toMatchObject({
      digest: newer.digest,
      status: 'compliant',
      eventTime: '2026-12-01T10:05:00.000Z',
    });
    // The older content still gets its own verdict, by digest.
    expect(await guard.app.store.getDigest(registry, repository, older.digest)).toMatchObject({
      status: 'noncompliant',
    });
  });
});

describe('a multi-platform push', () => {
  it('records the untagged children by digest and the index under its tag', async () => {
    const repository = repo('multi');
    const amd = await pushImage(pusher, repository, undefined, 'oci', { architecture: 'amd64' });
    const arm = await pushImage(pusher, repository, undefined, 'oci', { architecture: 'arm64' });
    const { pushIndex } = await import('../support/images.js');
    const index = await pushIndex(pusher, repository, 'multi', 'oci', [amd, arm]);

    for (const child of [amd, arm]) {
      await guard.deliver(gridEvent({ registry, repository, digest: child.digest }));
    }
    await guard.deliver(gridEvent({ registry, repository, tag: 'multi', digest: index.digest }));

    const rows = [];
    for await (const row of guard.app.store.query({ registry, repository })) rows.push(row);
    const tags = rows.filter((r) => r.rowType === 'tag');
    expect(tags.map((r) => [r.tag, r.digest, r.kind])).toEqual([
      ['multi', index.digest, 'oci-index'],
    ]);
    const digests = rows
      .filter((r) => r.rowType === 'digest')
      .map((r) => r.digest)
      .sort();
    expect(digests).toEqual([amd.digest, arm.digest, index.digest].sort());
  });
});

describe('a deleted image', () => {
  it('marks its digest and tag rows deleted, and a later push of it undeletes them', async () => {
    const repository = repo('deleted');
    const image = await pushImage(pusher, repository, 'gone', 'oci');
    const at = (minute: number) => `2026-12-01T11:0${minute}:00.000Z`;
    await guard.deliver(
      gridEvent({ registry, repository, tag: 'gone', digest: image.digest, time: at(0) }),
    );

    const outcome = await guard.deliver(
      gridEvent({
        registry,
        repository,
        digest: image.digest,
        action: 'ImageDeleted',
        time: at(1),
      }),
    );
    expect(outcome).toEqual({ kind: 'deleted', rows: 2 });
    expect(await guard.app.store.getTag(registry, repository, 'gone')).toMatchObject({
      deleted: true,
    });
    expect(await guard.app.store.getDigest(registry, repository, image.digest)).toMatchObject({
      deleted: true,
    });

    await guard.deliver(
      gridEvent({ registry, repository, tag: 'gone', digest: image.digest, time: at(2) }),
    );
    expect(await guard.app.store.getTag(registry, repository, 'gone')).toMatchObject({
      deleted: false,
    });
    expect(await guard.app.store.getDigest(registry, repository, image.digest)).toMatchObject({
      deleted: false,
    });
  });
});

describe('Helm chart events', () => {
  it('records a pushed chart as an exempt Helm artifact without fetching it', async () => {
    const repository = repo('charts');
    const chart = 'sha256:' + '4'.repeat(64);
    const before = await emulator.count({ repository });
    await guard.deliver(
      gridEvent({ registry, repository, tag: '1.2.0', digest: chart, action: 'ChartPushed' }),
    );

    expect(await guard.app.store.getTag(registry, repository, '1.2.0')).toMatchObject({
      kind: 'artifact',
      artifact: 'helm-chart',
      status: 'exempt',
      action: 'none',
    });
    expect(await emulator.count({ repository })).toBe(before);

    await guard.deliver(gridEvent({ registry, repository, digest: chart, action: 'ChartDeleted' }));
    expect(await guard.app.store.getTag(registry, repository, '1.2.0')).toMatchObject({
      deleted: true,
    });
  });
});

describe('events that must not be acted on', () => {
  it('refuses a registry outside ALLOWED_REGISTRIES before any request to it', async () => {
    const before = await emulator.count();
    const event = gridEvent({
      registry: 'evil.example.com',
      repository: 'x/y',
      tag: 't',
      digest: 'sha256:' + '1'.repeat(64),
    });
    const outcome = await guard.deliver(event);

    expect(outcome).toEqual({
      kind: 'rejected',
      error: 'registry "evil.example.com" is not in ALLOWED_REGISTRIES',
    });
    expect(await emulator.count()).toBe(before);
    const rejected = [];
    for await (const row of guard.app.store.query({})) {
      if (row.rowType === 'event' && row.eventId === event.id) rejected.push(row);
    }
    expect(rejected).toMatchObject([{ status: 'error', reasons: 'registry-not-allowed' }]);
  });

  it('records a malformed event with the field it got wrong, once, without throwing', async () => {
    const event = gridEvent({ registry, repository: 'x/y', digest: 'sha256:' + '2'.repeat(64) });
    const broken = {
      ...event,
      data: { ...event.data, target: { ...event.data.target, digest: 42 } },
    };

    const outcome = await guard.deliver(broken);
    await guard.deliver(broken);

    expect(outcome).toEqual({
      kind: 'rejected',
      error: 'event field "data.target.digest": expected a string, got number',
    });
    const rows = [];
    for await (const row of guard.app.store.query({})) {
      if (row.rowType === 'event' && row.eventId === event.id) rows.push(row);
    }
    expect(rows).toHaveLength(1);
    expect(
      guard.logs.some((l) => l.includes('decision=reject') && l.includes('data.target.digest')),
    ).toBe(true);
  });

  it('ignores other event types with one log line', async () => {
    const logged = guard.logs.length;
    const outcome = await guard.deliver({
      ...gridEvent({ registry, repository: 'a', digest: 'x' }),
      eventType: 'Microsoft.Storage.BlobCreated',
    });
    expect(outcome).toEqual({ kind: 'ignored', eventType: 'Microsoft.Storage.BlobCreated' });
    expect(guard.logs.slice(logged)).toHaveLength(1);
    expect(guard.logs.at(-1)).toMatch(/^information: decision=ignore /);
  });
});

describe('registry failures', () => {
  it('throws on a transient failure so Event Grid redelivers, and the redelivery records it', async () => {
    const repository = repo('flaky');
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    const event = gridEvent({ registry, repository, tag: 'v1', digest: image.digest });
    await emulator.injectFault({
      path: `^/v2/${repository}/manifests/`,
      methods: ['GET'],
      status: 503,
      times: 3,
    });

    await expect(guard.deliver(event)).rejects.toThrow(/get manifest .* failed \(503/);
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toBeUndefined();
    await expect(guard.deliver(event)).resolves.toMatchObject({ kind: 'recorded' });
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toMatchObject({
      status: 'noncompliant',
    });
  });

  it('gives up at the invocation deadline, however long the registry asks it to wait', async () => {
    const repository = repo('slow');
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    const event = gridEvent({ registry, repository, tag: 'v1', digest: image.digest });
    await emulator.injectFault({
      path: `^/v2/${repository}/manifests/`,
      methods: ['GET'],
      status: 429,
      retryAfter: 20,
      times: 1,
    });
    const handler = registryEventHandler(async () => guard.app, 1_500);
    const context = new InvocationContext({ functionName: 'onRegistryEvent' });

    const started = Date.now();
    await expect(handler(event, context)).rejects.toThrow(/deadline passed/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toBeUndefined();

    await expect(guard.deliver(event)).resolves.toMatchObject({ kind: 'recorded' });
  });

  it('records a manifest that is gone for good as an error instead of retrying forever', async () => {
    const repository = repo('missing');
    await pushImage(pusher, repository, 'v1', 'oci');
    const digest = 'sha256:' + '3'.repeat(64);
    const outcome = await guard.deliver(gridEvent({ registry, repository, tag: 'v1', digest }));

    expect(outcome).toMatchObject({ kind: 'recorded' });
    expect(await guard.app.store.getTag(registry, repository, 'v1')).toMatchObject({
      digest,
      status: 'error',
      reasons: 'manifest-not-found',
    });
  });
});

describe('logs', () => {
  it('write one line per decision with fixed keys and never a token', async () => {
    const repository = repo('logs');
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    const logged = guard.logs.length;
    await guard.deliver(gridEvent({ registry, repository, tag: 'v1', digest: image.digest }));

    const lines = guard.logs.slice(logged);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^information: decision=verdict registry=${registry} repository=${repository} tag=v1 digest=${image.digest} mediaType=\\S+ status=noncompliant `,
      ),
    );
    expect(guard.credential.requests.length).toBeGreaterThan(0);
    expect(guard.logs.join('\n')).not.toContain(guard.credential.token);
  });
});
