/**
 * Scan throughput against the registry's own manifest GET rate, measured in one run over the
 * same images: how much of what the registry can serve a scan turns into recorded verdicts.
 *
 * Needs started services (test/support/services.ts) and a process that trusts the test CA
 * (NODE_EXTRA_CA_CERTS set before Node started). No vitest imports: `npm run bench` calls it.
 */
import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import { AcrRegistry } from '../../src/registry/acr.js';
import { scanRegistry } from '../../src/scan/scan-registry.js';
import { TestCredential } from '../support/credential.js';
import { pushImage } from '../support/images.js';
import { PushClient } from '../support/push.js';
import { startPrivateEmulator, type Services } from '../support/services.js';

export interface ScanBenchOptions {
  /** Distinct images to push and scan. Default 200. */
  readonly images?: number;
  readonly repositories?: number;
  readonly concurrencies?: readonly number[];
}

export interface RateSample {
  readonly concurrency: number;
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
}

export interface ScanBenchResult {
  readonly images: number;
  /** Manifest GETs by digest through the app's registry adapter (SDK, auth, no table). */
  readonly manifestGets: readonly RateSample[];
  /** Full scans into an empty table: list, fetch, classify, record. */
  readonly scans: readonly RateSample[];
  /** Scan rate over GET rate at the same concurrency. */
  readonly efficiency: readonly { readonly concurrency: number; readonly ratio: number }[];
}

export async function benchScan(
  services: Services,
  options: ScanBenchOptions = {},
): Promise<ScanBenchResult> {
  const images = options.images ?? 200;
  const concurrencies = options.concurrencies ?? [1, 16];
  const run = randomUUID().replaceAll('-', '').slice(0, 10);
  const prefix = `bench-scan-${run}`;
  // A private emulator: its counters and token cache are this benchmark's alone.
  const emulator = await startPrivateEmulator(services.facts);
  try {
    const pushed = await seed(services, prefix, images, options.repositories ?? 4);
    const manifestGets: RateSample[] = [];
    const scans: RateSample[] = [];
    for (const concurrency of concurrencies) {
      manifestGets.push(await measureGets(emulator.host, pushed, concurrency));
      scans.push(await measureScan(services, emulator.host, prefix, concurrency, run));
    }
    const efficiency = concurrencies.map((concurrency, i) => ({
      concurrency,
      ratio: round((scans[i]?.perSecond ?? 0) / (manifestGets[i]?.perSecond || 1), 2),
    }));
    return { images, manifestGets, scans, efficiency };
  } finally {
    await emulator.stop();
  }
}

/** One line per concurrency, for the bench's report. */
export function formatScanBench(result: ScanBenchResult): string {
  return result.scans
    .map((scan, i) => {
      const gets = result.manifestGets[i];
      return (
        `scan, concurrency ${scan.concurrency}: ${scan.perSecond} images/s ` +
        `(manifest GET ${gets?.perSecond ?? 0}/s; ratio ${result.efficiency[i]?.ratio ?? 0})`
      );
    })
    .join('\n');
}

interface Pushed {
  readonly repository: string;
  readonly digest: string;
}

/** Distinct small images, straight to docker-registry, several at a time. */
async function seed(
  services: Services,
  prefix: string,
  images: number,
  repositories: number,
): Promise<Pushed[]> {
  const client = new PushClient({ url: services.registry.url, ca: services.tls.caPem });
  const indexes = Array.from({ length: images }, (_, i) => i);
  return pool(indexes, 16, async (i) => {
    const repository = `${prefix}/r${i % repositories}`;
    const format = i % 2 === 0 ? 'oci' : 'docker';
    const image = await pushImage(client, repository, `t${i}`, format, { content: `image ${i}` });
    return { repository, digest: image.digest };
  });
}

async function measureGets(host: string, pushed: readonly Pushed[], concurrency: number) {
  // A fresh adapter: its digest cache must not answer for the registry.
  const registry = new AcrRegistry({ registry: host, credential: new TestCredential() });
  await registry.getManifest(pushed[0]!.repository, pushed[0]!.digest); // token exchange
  const started = performance.now();
  await pool(pushed, concurrency, (p) => registry.getManifest(p.repository, p.digest));
  return sample(concurrency, pushed.length, performance.now() - started);
}

async function measureScan(
  services: Services,
  host: string,
  prefix: string,
  concurrency: number,
  run: string,
): Promise<RateSample> {
  const app = createApp(
    {
      ALLOWED_REGISTRIES: host,
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      COMPLIANCE_TABLE: `bench${run}c${concurrency}`,
    },
    { credential: new TestCredential() },
  );
  await app.store.ensureTable();
  const started = performance.now();
  const summary = await scanRegistry(
    { registry: app.registryFor(host), store: app.store, config: app.config, log: silentLogger },
    { repositories: [`${prefix}/**`], concurrency },
  );
  if (summary.failed > 0) {
    throw new Error(`bench scan at concurrency ${concurrency}: ${summary.failed} images failed`);
  }
  return sample(concurrency, summary.recorded, performance.now() - started);
}

function sample(concurrency: number, count: number, ms: number): RateSample {
  const seconds = ms / 1000;
  return { concurrency, count, seconds: round(seconds, 3), perSecond: round(count / seconds, 1) };
}

async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) results[i] = await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
