/**
 * Remediation's safety rules against the real services: act only on the content the tag
 * still names, never on the app's own pushes, once per push however often and in whatever
 * order the events come, and resume a retag that failed half way.
 */
import { describe, expect, inject, it } from 'vitest';
import { Docker2ManifestList } from '../../src/domain/media-types.js';
import { silentLogger } from '../../src/log.js';
import { handleEvent } from '../../src/scan/handle-event.js';
import { ActionInProgressError } from '../../src/scan/remediate.js';
import { EmulatorClient } from '../support/acr-emulator.js';
import { testApp } from '../support/app.js';
import { gridEvent } from '../support/events.js';
import {
  actionRows,
  ownPushEvents,
  partitionRows,
  pusherFor,
  pushNamed,
  rawManifest,
  rowOf,
  skopeoFor,
  stateOf,
  uniqueRepository,
} from './remediation-setup.js';

const services = inject('services');
const registry = services.emulator.host;
const skopeo = skopeoFor(services);
const emulator = new EmulatorClient(services.emulator.url);

type Event = Parameters<Awaited<ReturnType<typeof testApp>>['deliver']>[0];

function actionOf(outcome: unknown): string | undefined {
  return (outcome as { push?: { action?: { action: string } } }).push?.action?.action;
}

/** Manifest PUTs the emulator answered for a repository (the counters are shared: diff them). */
function manifestPuts(repository: string): Promise<number> {
  return emulator.count({ method: 'PUT', route: 'manifest', repository, status: 201 });
}

/** Waits until an injected fault has answered once. */
async function firedOnce(id: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await emulator.faults()).find((f) => f.id === id)?.fired) return;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`fault ${id} never fired`);
}

/** Delivers in order; a busy claim is Event Grid's cue to redeliver later, so it is kept. */
async function deliverAll(deliver: (event: Event) => Promise<unknown>, events: readonly Event[]) {
  for (const event of events) await deliver(event);
}

/**
 * A retag of an attestation index, driven by one delivery plan: `plan` gets the user's push
 * events and a function that returns the app's own push events once they exist.
 */
async function retagWith(
  plan: (
    pushEvents: readonly Event[],
    ownEvents: () => Promise<readonly Event[]>,
    deliver: (event: Event) => Promise<unknown>,
  ) => Promise<void>,
) {
  const repository = uniqueRepository('safety-order');
  const guard = await testApp(services, { REMEDIATION: 'retag' });
  const { events, pushed } = await pushNamed(services, repository, 'buildx-attestations');
  const putsBefore = await manifestPuts(repository);
  const own = () => ownPushEvents(services, repository, pushed.tag, `${pushed.tag}-oci`);

  await plan(events, own, guard.deliver);

  const rows = await partitionRows(services, guard.tableName, registry, repository);
  const tag = await rawManifest(skopeo, repository, pushed.tag);
  const backup = await rawManifest(skopeo, repository, `${pushed.tag}-oci`);
  const puts = (await manifestPuts(repository)) - putsBefore;
  return { rows, state: stateOf(rows), tag: tag.digest, backup: backup.digest, puts };
}

describe('remediation safety', () => {
  it('reaches the same state when every event comes twice and in both orders', async () => {
    const once = await retagWith(async (push, own, deliver) => {
      await deliverAll(deliver, push);
      await deliverAll(deliver, await own());
    });
    const twiceBothOrders = await retagWith(async (push, own, deliver) => {
      await deliverAll(deliver, [...push].reverse());
      await deliverAll(deliver, push);
      const ours = await own();
      await deliverAll(deliver, [...ours].reverse());
      await deliverAll(deliver, ours);
      // A redelivery of the user's push long after everything else.
      await deliverAll(deliver, [...push].reverse());
    });

    expect(twiceBothOrders.state).toEqual(once.state);
    expect(twiceBothOrders.tag).toBe(once.tag);
    expect(twiceBothOrders.backup).toBe(once.backup);
    // Backup tag, two children, the list: four PUTs, however many deliveries.
    expect(twiceBothOrders.puts).toBe(4);
    expect(once.puts).toBe(4);
    expect(actionRows(once.rows).map((row) => row.action)).toEqual(['retag']);
    expect(actionRows(twiceBothOrders.rows).map((row) => row.action)).toEqual(['retag']);
  });

  it("records the app's own pushes as such and never remediates them", async () => {
    const repository = uniqueRepository('safety-own');
    const guard = await testApp(services, { REMEDIATION: 'retag' });
    const { tagged, pushed } = await pushNamed(services, repository, 'oci-image');
    await guard.deliver(tagged);
    const own = await ownPushEvents(services, repository, pushed.tag, `${pushed.tag}-oci`);
    const putsBefore = await manifestPuts(repository);

    const outcomes = [];
    for (const event of own) outcomes.push(await guard.deliver(event));

    expect(outcomes.map(actionOf)).toEqual(['own-push', 'own-push']);
    expect(await manifestPuts(repository)).toBe(putsBefore);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({
      status: 'compliant',
      action: 'own-push',
    });
    expect(rowOf(rows, `tag|${pushed.tag}-oci`)).toMatchObject({
      status: 'noncompliant',
      action: 'own-push',
    });
    expect(actionRows(rows)).toHaveLength(1);
  });

  it('does nothing when the tag has moved since the push', async () => {
    const repository = uniqueRepository('safety-moved');
    const guard = await testApp(services, { REMEDIATION: 'quarantine' });
    const oci = await pushNamed(services, repository, 'oci-image');
    const docker = await pushNamed(services, repository, 'docker-image');
    // The same tag, pushed again with other content before the first event is handled.
    const pusher = pusherFor(services);
    const top = docker.fixture.top;
    await pusher.pushManifest(repository, oci.pushed.tag, top.content, top.mediaType);

    const outcome = await guard.deliver(oci.tagged);

    expect(outcome).toMatchObject({
      push: { action: { action: 'none', detail: expect.stringContaining('tag moved') } },
    });
    // The pushed content is still readable: nothing was quarantined.
    expect((await rawManifest(skopeo, repository, oci.fixture.top.digest)).digest).toBe(
      oci.fixture.top.digest,
    );
  });

  it('never moves the tag back when a newer push lands while a retag is under way', async () => {
    const repository = uniqueRepository('safety-overtaken');
    const guard = await testApp(services, { REMEDIATION: 'retag' });
    const oci = await pushNamed(services, repository, 'oci-index');
    const docker = await pushNamed(services, repository, 'docker-image');
    // The first converted child waits a second (429, Retry-After: 1): time for a user's push.
    const fault = await emulator.injectFault({
      path: `^/v2/${repository}/manifests/sha256:`,
      methods: ['PUT'],
      retryAfter: 1,
      times: 1,
    });

    const acting = guard.deliver(oci.tagged);
    await firedOnce(fault.id);
    const top = docker.fixture.top;
    await pusherFor(services).pushManifest(repository, oci.pushed.tag, top.content, top.mediaType);
    const outcome = await acting;

    expect((await rawManifest(skopeo, repository, oci.pushed.tag)).digest).toBe(top.digest);
    expect(outcome).toMatchObject({
      push: { action: { action: 'none', detail: expect.stringContaining('tag moved') } },
    });
  });

  it('keeps the tag row about a newer push that lands while an action is under way', async () => {
    const repository = uniqueRepository('safety-row');
    const guard = await testApp(services, { REMEDIATION: 'quarantine' });
    const oci = await pushNamed(services, repository, 'oci-image');
    const docker = await pushNamed(services, repository, 'docker-image');
    const fault = await emulator.injectFault({
      path: `^/acr/v1/${repository}/_manifests/`,
      methods: ['PATCH'],
      retryAfter: 1,
      times: 1,
    });

    const acting = guard.deliver(oci.tagged);
    await firedOnce(fault.id);
    const top = docker.fixture.top;
    await pusherFor(services).pushManifest(repository, oci.pushed.tag, top.content, top.mediaType);
    const newer = gridEvent({ registry, repository, tag: oci.pushed.tag, ...docker.pushed.top });
    await guard.deliver(newer);
    await acting;

    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${oci.pushed.tag}`)).toMatchObject({
      digest: top.digest,
      status: 'compliant',
      action: 'none',
    });
    // What was done to the older content is still in the history.
    expect(actionRows(rows).map((row) => [row.action, row.digest])).toEqual([
      ['quarantine', oci.fixture.top.digest],
    ]);
  });

  it('acts once when two instances handle the same event at the same time', async () => {
    const repository = uniqueRepository('safety-race');
    const first = await testApp(services, { REMEDIATION: 'retag' });
    const second = await testApp(services, {
      REMEDIATION: 'retag',
      COMPLIANCE_TABLE: first.tableName,
    });
    const { tagged, pushed } = await pushNamed(services, repository, 'oci-index');
    const putsBefore = await manifestPuts(repository);

    const settled = await Promise.allSettled([first.deliver(tagged), second.deliver(tagged)]);
    // Event Grid redelivers whatever failed; by then the action is done.
    const redelivered = await first.deliver(tagged);

    const acted = settled.filter((s) => s.status === 'fulfilled' && actionOf(s.value) === 'retag');
    const others = settled.filter((s) => !acted.includes(s));
    expect(acted).toHaveLength(1);
    for (const other of others) {
      if (other.status === 'rejected') {
        expect(other.reason).toBeInstanceOf(ActionInProgressError);
      } else {
        expect(actionOf(other.value)).toBeUndefined();
      }
    }
    expect(actionOf(redelivered)).toBeUndefined();
    const list = await rawManifest(skopeo, repository, pushed.tag);
    expect(list.body.mediaType).toBe(Docker2ManifestList);
    // Backup tag, two children, the list.
    expect((await manifestPuts(repository)) - putsBefore).toBe(4);
    const rows = await partitionRows(services, first.tableName, registry, repository);
    expect(actionRows(rows).map((row) => row.action)).toEqual(['retag']);
  });

  it('waits for a live claim, and takes over one whose holder died once its lease ran out', async () => {
    const repository = uniqueRepository('safety-lease');
    const recorder = await testApp(services);
    const guard = await testApp(services, {
      REMEDIATION: 'quarantine',
      COMPLIANCE_TABLE: recorder.tableName,
    });
    const { tagged, pushed, fixture } = await pushNamed(services, repository, 'oci-image');
    await recorder.deliver(tagged);
    const key = {
      registry,
      repository,
      tag: pushed.tag,
      digest: fixture.top.digest,
      eventId: tagged.id,
    };
    // Another invocation claimed the action a moment ago and is still at it.
    const now = new Date().toISOString();
    expect(await guard.app.store.claimAction(key, 'quarantine', now, 45_000)).toBe('claimed');

    await expect(guard.deliver(tagged)).rejects.toBeInstanceOf(ActionInProgressError);

    // That invocation died: its claim is old by the time Event Grid redelivers.
    const later = new Date(Date.now() + 60_000);
    const outcome = await handleEvent(tagged, {
      config: guard.app.config,
      registryFor: guard.app.registryFor,
      store: guard.app.store,
      log: silentLogger,
      now: () => later,
    });
    expect(outcome).toMatchObject({ push: { action: { action: 'quarantine' } } });
    await expect(rawManifest(skopeo, repository, pushed.tag)).rejects.toThrow(/denied/i);
  });

  it('resumes a retag whose list push failed after its children were pushed', async () => {
    const repository = uniqueRepository('safety-resume');
    const guard = await testApp(services, { REMEDIATION: 'retag' });
    const { tagged, pushed, fixture } = await pushNamed(services, repository, 'oci-index');
    // Every attempt at the tagged PUT fails in the first invocation (the SDK retries twice).
    const fault = await emulator.injectFault({
      path: `^/v2/${repository}/manifests/${pushed.tag}$`,
      methods: ['PUT'],
      status: 503,
      retryAfter: 0,
      times: 3,
    });

    await expect(guard.deliver(tagged)).rejects.toThrow(/503|put manifest/i);
    const halfway = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(halfway, `tag|${pushed.tag}`)).toMatchObject({
      action: 'retag-failed',
      actionState: 'failed',
      actionDetail: expect.stringContaining('503'),
    });
    expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);

    const retried = await guard.deliver(tagged);

    expect(actionOf(retried)).toBe('retag');
    expect((await emulator.faults()).find((f) => f.id === fault.id)?.fired).toBe(3);
    const list = await rawManifest(skopeo, repository, pushed.tag);
    expect(list.body.mediaType).toBe(Docker2ManifestList);
    for (const child of list.body.manifests ?? []) {
      await expect(rawManifest(skopeo, repository, child.digest)).resolves.toBeDefined();
    }
    expect((await rawManifest(skopeo, repository, `${pushed.tag}-oci`)).digest).toBe(
      fixture.top.digest,
    );
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({
      action: 'retag',
      actionState: 'done',
    });
    expect(actionRows(rows).map((row) => row.action)).toEqual(['retag']);
  });
});
