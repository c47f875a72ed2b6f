/**
 * The `reconcile` timer over a registry of its own (docker-registry behind the ACR emulator)
 * whose pushes raised no events: it records what the events missed, skips what they did
 * record, looks only at what changed since the last sweep, and keeps to its request budget,
 * continuing next time where it stopped.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import type { Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { registryEventHandler } from '../../src/functions/onRegistryEvent.js';
import { reconcileHandler, type RegistryReconcile } from '../../src/functions/reconcile.js';
import type { ReconcileOptions } from '../../src/scan/reconcile.js';
import { fixtureNamed } from '../fixtures/manifests.js';
import { startAcrEmulator, type AcrEmulator } from '../support/acr-emulator.js';
import { TestCredential } from '../support/credential.js';
import { gridEvent } from '../support/events.js';
import { httpsRequest } from '../support/https.js';
import { startRegistry, type RegistryService } from '../support/registry.js';
import { prepareTestTls } from '../support/tls.js';
import { seedRegistry, type SeededTag } from './ops-seed.js';

const { InvocationContext } = functions;

const services = inject('services');
const run = randomUUID().replaceAll('-', '').slice(0, 10);

let registry: RegistryService;
let emulator: AcrEmulator;
let first: SeededTag[];
/** Every tag pushed so far: each reconcile pass walks the whole registry. */
const pushed: SeededTag[] = [];

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

beforeAll(async () => {
  // A registry of its own: reconcile walks the whole catalog, other files' repositories too.
  const tls = prepareTestTls(services.tls.dir);
  registry = await startRegistry({ tls });
  emulator = await startAcrEmulator({
    registryUrl: registry.url,
    tls,
    storageDir: registry.storageDir,
  });
  first = await seed('first', ['docker-image', 'oci-index', 'helm-chart']);
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
  await registry?.stop();
});

/** Pushes straight to the registry (no events), then lets ACR's listing see the tags. */
async function seed(prefix: string, fixtures: string[]): Promise<SeededTag[]> {
  const tags = await seedRegistry({
    registryUrl: registry.url,
    prefix,
    repositories: 2,
    tagsPerFixture: 2,
    fixtures: fixtures.map(fixtureNamed),
  });
  // ACR stamps a tag's lastUpdateTime at push; the emulator stamps it when it first sees the
  // tag, so look once now, as if these pushes happened before the sweep.
  await emulator.setAuth(false);
  for (const repository of new Set(tags.map((t) => t.repository))) {
    const url = `${emulator.url}/acr/v1/${encodeURIComponent(repository)}/_tags`;
    await httpsRequest({ url });
  }
  await emulator.setAuth(true);
  pushed.push(...tags);
  return tags;
}

function appFor(table: string): App {
  return createApp(
    {
      ALLOWED_REGISTRIES: emulator.host,
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      COMPLIANCE_TABLE: table,
    },
    { credential: new TestCredential() },
  );
}

async function reconcile(app: App, options: ReconcileOptions): Promise<RegistryReconcile> {
  await app.store.ensureTable();
  const handler = reconcileHandler(async () => app, {
    skewMs: 0,
    requestsPerMinute: 60_000,
    ...options,
  });
  const context = new InvocationContext({ functionName: 'reconcile', logHandler: () => {} });
  const [result] = await handler(timer, context);
  if (!result?.outcome) throw new Error(`reconcile failed: ${result?.error ?? 'no result'}`);
  return result;
}

async function tagRows(app: App): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  for await (const row of app.store.query({ registry: emulator.host, rowType: 'tag' })) {
    rows.set(`${row.repository}:${row.tag}`, row.digest);
  }
  return rows;
}

const expectedRows = (tags: readonly SeededTag[]) =>
  new Map(tags.map((t) => [`${t.repository}:${t.tag}`, t.digest]));

describe('the reconcile timer', () => {
  it('records the pushes whose events never came, then only what changed since', async () => {
    const app = appFor(`opsreconcile${run}a`);
    await app.store.ensureTable();
    // One push did raise its event; reconcile must leave it alone.
    const delivered = first[0]!;
    await registryEventHandler(async () => app)(
      gridEvent({ registry: emulator.host, ...delivered }),
      new InvocationContext({ logHandler: () => {} }),
    );

    const sweep = await reconcile(app, {});
    await emulator.clearRequests();
    const quiet = await reconcile(app, {});
    const later = await seed('later', ['oci-image']);
    const next = await reconcile(app, {});

    expect(sweep.outcome?.passFinished).toBe(true);
    expect(sweep.outcome?.summary).toMatchObject({
      recorded: first.length - 1,
      skipped: 1,
      failed: 0,
    });
    expect(quiet.outcome?.summary).toMatchObject({ tags: 0, recorded: 0 });
    expect(await emulator.count({ route: 'manifest' })).toBe(0);
    expect(quiet.outcome?.since).toBe(sweep.outcome?.marker.sweptUntil);
    expect(next.outcome?.summary).toMatchObject({ tags: later.length, recorded: later.length });
    expect(await tagRows(app)).toEqual(expectedRows([...first, ...later]));
  });

  it('stops at its request budget and goes on from there next time, until the pass ends', async () => {
    const app = appFor(`opsreconcile${run}b`);
    await seed('budget', ['docker-list']);
    const everything = [...pushed];
    const runs: RegistryReconcile[] = [];

    for (let i = 0; i < 30; i++) {
      const result = await reconcile(app, { maxRequests: 6, requestsPerMinute: 60_000 });
      runs.push(result);
      if (result.outcome?.passFinished) break;
    }

    expect(runs.length).toBeGreaterThan(2);
    expect(runs.at(-1)?.outcome?.passFinished).toBe(true);
    // A listing page arriving after the last request was paid for may overrun by one.
    expect(Math.max(...runs.map((r) => r.outcome?.requests ?? 0))).toBeLessThanOrEqual(7);
    expect(runs.slice(0, -1).every((r) => r.outcome?.marker.resumeAt !== undefined)).toBe(true);
    const recorded = runs.reduce((sum, r) => sum + (r.outcome?.summary.recorded ?? 0), 0);
    expect(recorded).toBe(everything.length);
    expect(await tagRows(app)).toEqual(expectedRows(everything));
  });
});
