/**
 * onRegistryEvent end to end: every fixture kind pushed for real to docker-registry through
 * the ACR emulator, its events delivered to the exported handler, the table read back.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { catalogue } from '../fixtures/manifests.js';
import { testApp, type TestApp } from '../support/app.js';
import { cloudEvent, gridEvent } from '../support/events.js';
import { pushFixture } from '../support/fixture-push.js';
import { PushClient } from '../support/push.js';

const services = inject('services');
const registry = services.emulator.host;
const run = randomUUID().slice(0, 8);
const pusher = new PushClient({ url: services.emulator.url, credentials: services.emulator.admin });
const pushable = catalogue.filter((f) => f.pushable);

let strict: TestApp;
let topLevel: TestApp;

beforeAll(async () => {
  strict = await testApp(services);
  topLevel = await testApp(services, { POLICY: 'top-level' });
});

describe.each([
  ['Event Grid schema', gridEvent],
  ['CloudEvents 1.0', cloudEvent],
])('a push delivered as %s', (_schema, makeEvent) => {
  it.each(pushable.map((f) => [f.name, f] as const))(
    'records the verdict of %s under both policies',
    async (name, fixture) => {
      const repository = `verdicts/${name}-${run}-${makeEvent.name.toLowerCase()}`;
      const pushed = await pushFixture(pusher, repository, fixture);
      const events = [
        ...pushed.untagged.map((m) => makeEvent({ registry, repository, ...m })),
        makeEvent({ registry, repository, ...pushed.top, tag: pushed.tag }),
      ];

      for (const [app, status] of [
        [strict, fixture.expected.strict],
        [topLevel, fixture.expected.topLevel],
      ] as const) {
        for (const event of events) await app.deliver(event);
        const tagRow = await app.app.store.getTag(registry, repository, pushed.tag);
        const digestRow = await app.app.store.getDigest(registry, repository, pushed.top.digest);
        expect(tagRow).toMatchObject({
          digest: pushed.top.digest,
          status,
          kind: fixture.expected.kind,
        });
        expect(digestRow).toMatchObject({ tag: '', status, mediaType: fixture.top.mediaType });
        // Children are recorded by digest, and never get a tag row of their own.
        for (const child of pushed.untagged) {
          expect(await app.app.store.getDigest(registry, repository, child.digest)).toBeDefined();
        }
      }
      const strictRow = await strict.app.store.getTag(registry, repository, pushed.tag);
      const ids = strictRow!.reasons.split(',').filter(Boolean);
      expect(ids.sort()).toEqual([...fixture.expected.strictReasons].sort());
    },
  );
});

describe('every row carries the properties ops filter on', () => {
  it('writes registry, repository, tag, digest, mediaType, kind, status, reasons, action, eventTime, checkedAt and policy', async () => {
    const fixture = pushable.find((f) => f.name === 'oci-image')!;
    const repository = `verdicts/columns-${run}`;
    const pushed = await pushFixture(pusher, repository, fixture);
    const time = '2026-12-01T09:00:00.000Z';
    await strict.deliver(gridEvent({ registry, repository, ...pushed.top, tag: 'v1', time }));

    const row = await strict.app.store.getTag(registry, repository, 'v1');
    expect(row).toMatchObject({
      registry,
      repository,
      tag: 'v1',
      digest: pushed.top.digest,
      mediaType: fixture.top.mediaType,
      kind: 'oci-manifest',
      status: 'noncompliant',
      action: 'none',
      eventTime: time,
      policy: 'strict',
    });
    expect(row!.reasons).toContain('oci-manifest');
    expect(Date.parse(row!.checkedAt)).toBeGreaterThan(Date.parse(time));
    const details = JSON.parse(row!.reasonDetails) as { id: string; fix?: string }[];
    expect(details.find((r) => r.id === 'oci-manifest')?.fix).toMatch(/oci-mediatypes=false/);
  });
});
