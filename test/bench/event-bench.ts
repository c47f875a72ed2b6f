/**
 * Events per second through onRegistryEvent against the local registry and Azurite, registry
 * requests per event (first sight, then content already seen), and the raw manifest GET rate
 * of the same registry at the same concurrency, all measured in one run.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import { createApp } from '../../src/app.js';
import { registryEventHandler } from '../../src/functions/onRegistryEvent.js';
import { TestCredential } from '../support/credential.js';
import { gridEvent } from '../support/events.js';
import { pushImage, type PushedManifest } from '../support/images.js';
import { PushClient } from '../support/push.js';
import type { Services } from '../support/services.js';

const { InvocationContext } = functions;

export interface EventBenchOptions {
  readonly images?: number;
  readonly concurrency?: number;
}

export interface EventBenchResult {
  readonly images: number;
  readonly concurrency: number;
  readonly eventsPerSecond: number;
  /** Registry calls the app made per event, first delivery (manifest GETs only). */
  readonly requestsPerEvent: number;
  /** The same on redelivery of every event: content already seen. */
  readonly requestsPerSeenEvent: number;
  readonly rawGetsPerSecond: number;
}

export async function benchEvents(
  services: Services,
  options: EventBenchOptions = {},
): Promise<EventBenchResult> {
  const images = options.images ?? 300;
  const concurrency = options.concurrency ?? 8;
  const registry = services.emulator.host;
  const repository = `bench-events/${randomUUID().slice(0, 8)}`;
  const pusher = new PushClient({
    url: services.emulator.url,
    credentials: services.emulator.admin,
  });

  const pushed: PushedManifest[] = [];
  await pool(images, concurrency, async (i) => {
    const format = i % 2 === 0 ? 'oci' : 'docker';
    pushed[i] = await pushImage(pusher, repository, `v${i}`, format, { content: `image ${i}\n` });
  });

  let requests = 0;
  const app = createApp(
    {
      ALLOWED_REGISTRIES: registry,
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      COMPLIANCE_TABLE: `bench${randomUUID().replace(/-/g, '').slice(0, 16)}`,
    },
    {
      credential: new TestCredential(),
      onRegistryRequest: (operation) => (operation === 'get manifest' ? requests++ : undefined),
    },
  );
  await app.store.ensureTable();
  // The exported handler's factory, as the Functions host calls it (deadline included),
  // with a context that drops the log lines.
  const handler = registryEventHandler(async () => app);
  const deliver = (event: unknown) =>
    handler(event, new InvocationContext({ logHandler: () => {} })).then(() => {});
  const events = pushed.map((image, i) =>
    gridEvent({ registry, repository, tag: `v${i}`, digest: image.digest, size: image.size }),
  );

  const started = performance.now();
  await pool(events.length, concurrency, (i) => deliver(events[i]));
  const seconds = (performance.now() - started) / 1000;
  const firstRequests = requests;

  requests = 0;
  await pool(events.length, concurrency, (i) => deliver(events[i]));
  const seenRequests = requests;

  const rawStarted = performance.now();
  await pool(pushed.length, concurrency, async (i) => {
    await pusher.getManifest(repository, pushed[i]!.digest);
  });
  const rawSeconds = (performance.now() - rawStarted) / 1000;

  return {
    images,
    concurrency,
    eventsPerSecond: round(images / seconds),
    requestsPerEvent: round(firstRequests / images),
    requestsPerSeenEvent: round(seenRequests / images),
    rawGetsPerSecond: round(images / rawSeconds),
  };
}

export function formatEventBench(r: EventBenchResult): string {
  return [
    `events: ${r.images} pushes through onRegistryEvent at concurrency ${r.concurrency}: ` +
      `${r.eventsPerSecond} events/s`,
    `registry manifest GETs per event: ${r.requestsPerEvent} first delivery, ` +
      `${r.requestsPerSeenEvent} for content already seen`,
    `raw manifest GET rate, same registry, concurrency ${r.concurrency}: ${r.rawGetsPerSecond}/s`,
  ].join('\n');
}

async function pool(count: number, width: number, work: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(width, count) }, worker));
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
