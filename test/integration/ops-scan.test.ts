/**
 * `mediatype-guard scan` and `report` against docker-registry behind the ACR emulator, with
 * Azurite: a few hundred tags of every kind, a scan as a process, a scan killed half way, and
 * a registry answering 429 with Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { odata, TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { silentLogger } from '../../src/log.js';
import type { Report } from '../../src/scan/report.js';
import { scanRegistry } from '../../src/scan/scan-registry.js';
import type { ScanSummary } from '../../src/scan/scan-summary.js';
import type { AcrEmulator } from '../support/acr-emulator.js';
import { TestCredential } from '../support/credential.js';
import { startPrivateEmulator } from '../support/services.js';
import { cliEnv, runCli, startCli } from './ops-process.js';
import { countByStatus, seedRegistry, type SeededTag } from './ops-seed.js';

const services = inject('services');
const run = randomUUID().replaceAll('-', '').slice(0, 10);
const prefix = `ops-scan-${run}`;

let emulator: AcrEmulator;
let seeded: SeededTag[];

beforeAll(async () => {
  // A private emulator: its auth switch, counters and faults disturb no other test file.
  emulator = await startPrivateEmulator(services);
  // A CLI process has no Entra: with auth off its credential is never asked for a token.
  await emulator.setAuth(false);
  seeded = await seedRegistry({
    registryUrl: services.registry.url,
    prefix,
    repositories: 10,
    tagsPerFixture: 2,
  });
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

function tableEnv(table: string) {
  return cliEnv({
    COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
    COMPLIANCE_TABLE: table,
  });
}

function scanArgs(...extra: string[]): string[] {
  return ['scan', '--registry', emulator.host, '--repository', `${prefix}/**`, '--json', ...extra];
}

async function rows(table: string, prefixKey: 'tag|' | 'digest|'): Promise<number> {
  const client = TableClient.fromConnectionString(services.azurite.connectionString, table, {
    allowInsecureConnection: true,
  });
  const end = prefixKey.slice(0, -1) + '}';
  const filter = odata`RowKey ge ${prefixKey} and RowKey lt ${end}`;
  let count = 0;
  try {
    for await (const row of client.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) {
      if (String(row.rowKey).startsWith(prefixKey)) count++;
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  return count;
}

const distinctDigests = () => new Set(seeded.map((t) => `${t.repository}@${t.digest}`)).size;

describe('mediatype-guard scan and report', () => {
  it('records every tag of the registry, and report --format json counts them as pushed', async () => {
    const table = `ops${run}a`;

    const scan = await runCli(scanArgs('--concurrency', '16'), tableEnv(table));
    const report = await runCli(
      ['report', '--format', 'json', '--status', 'any', '--repository', `${prefix}/**`],
      tableEnv(table),
    );

    expect(scan.code, scan.stderr).toBe(0);
    const summary = JSON.parse(scan.stdout) as ScanSummary;
    expect(summary).toMatchObject({ tags: seeded.length, recorded: seeded.length, failed: 0 });
    expect(summary.byStatus).toEqual(countByStatus(seeded));
    expect(scan.stderr).toMatch(/^scan: done, 300 of 300 tags/m);

    expect(report.code, report.stderr).toBe(0);
    const parsed = JSON.parse(report.stdout) as Report;
    expect(parsed.totals.byStatus).toEqual(countByStatus(seeded));
    const recorded = new Map(parsed.tags.map((t) => [`${t.repository}:${t.tag}`, t.digest]));
    expect(recorded).toEqual(new Map(seeded.map((t) => [`${t.repository}:${t.tag}`, t.digest])));
    expect(parsed.repositories).toHaveLength(10);
    // Per repository: 2 compliant and 6 exempt fixtures of 15, twice each.
    expect(new Set(parsed.repositories.map((r) => r.compliancePercent))).toEqual(new Set([53.3]));
  });

  it('skips, on a second run, every tag recorded already: no manifest is fetched again', async () => {
    const table = `ops${run}b`;
    await runCli(scanArgs('--concurrency', '16'), tableEnv(table));
    await emulator.clearRequests();

    const again = await runCli(scanArgs('--concurrency', '16'), tableEnv(table));

    expect(again.code, again.stderr).toBe(0);
    const summary = JSON.parse(again.stdout) as ScanSummary;
    expect(summary).toMatchObject({ tags: seeded.length, recorded: 0, skipped: seeded.length });
    expect(await emulator.count({ route: 'manifest' })).toBe(0);
  });

  it('finishes, after being killed half way, with one row per tag and per digest', async () => {
    const table = `ops${run}c`;
    const first = startCli(scanArgs('--concurrency', '2'), tableEnv(table));
    const deadline = Date.now() + 20_000;
    while ((await rows(table, 'tag|')) < 40 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    const killed = await first.done;
    const before = await rows(table, 'tag|');

    const rerun = await runCli(scanArgs('--concurrency', '16'), tableEnv(table));

    expect(killed.signal).toBe('SIGKILL');
    expect(before).toBeGreaterThanOrEqual(40);
    expect(before).toBeLessThan(seeded.length);
    expect(rerun.code, rerun.stderr).toBe(0);
    const summary = JSON.parse(rerun.stdout) as ScanSummary;
    expect(summary.skipped).toBeGreaterThanOrEqual(before);
    expect(summary.recorded + summary.skipped).toBe(seeded.length);
    expect(await rows(table, 'tag|')).toBe(seeded.length);
    expect(await rows(table, 'digest|')).toBe(distinctDigests());
  });

  it('slows down on 429 with Retry-After, retries the images later, and records them all', async () => {
    const repositories = [`${prefix}/r1`, `${prefix}/r2`];
    const expected = seeded.filter((t) => repositories.includes(t.repository));
    const app = createApp(
      {
        ALLOWED_REGISTRIES: emulator.host,
        COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
        COMPLIANCE_TABLE: `ops${run}d`,
      },
      { credential: new TestCredential() },
    );
    await app.store.ensureTable();
    // Enough 429s in a row that the SDK's own three tries run out for the first four images.
    await emulator.injectFault({
      path: `^/v2/${prefix}/r[12]/manifests/`,
      methods: ['GET'],
      status: 429,
      retryAfter: 1,
      times: 12,
    });
    let lowest = Number.POSITIVE_INFINITY;

    const summary = await scanRegistry(
      {
        registry: app.registryFor(emulator.host),
        store: app.store,
        config: app.config,
        log: silentLogger,
      },
      {
        repositories,
        concurrency: 4,
        onProgress: (p) => (lowest = Math.min(lowest, p.concurrency)),
      },
    );

    const [fault] = await emulator.faults();
    await emulator.clearFaults();
    expect(fault?.fired).toBe(12);
    expect(summary.throttled).toBeGreaterThan(0);
    expect(lowest).toBeLessThan(4);
    expect(summary).toMatchObject({ complete: true, failed: 0, recorded: expected.length });
    expect(summary.byStatus).toEqual(countByStatus(expected));
  });

  it('stops cleanly on Ctrl-C and says where it stopped', async () => {
    const table = `ops${run}f`;
    const scan = startCli(scanArgs('--concurrency', '1'), tableEnv(table));
    const deadline = Date.now() + 20_000;
    while ((await rows(table, 'tag|')) < 10 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    scan.child.kill('SIGINT');
    const result = await scan.done;

    expect(result.code, result.stderr).toBe(1);
    const summary = JSON.parse(result.stdout) as ScanSummary;
    expect(summary.complete).toBe(false);
    expect(summary.resumeAt).toMatch(new RegExp(`^${prefix}/r\\d$`));
    expect(summary.recorded).toBeLessThan(seeded.length);
  });

  it('keeps its own table in the data directory when none is configured', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mediatype-guard-data-'));
    const env = cliEnv({ MEDIATYPE_GUARD_DATA_DIR: dataDir });
    try {
      const scan = await runCli(
        ['scan', '--registry', emulator.host, '--repository', `${prefix}/r0`, '--json'],
        env,
      );
      const report = await runCli(['report', '--format', 'json', '--status', 'any'], env);

      expect(scan.code, scan.stderr).toBe(0);
      expect(scan.stderr).toContain(`using the embedded one in ${dataDir}`);
      expect(report.code, report.stderr).toBe(0);
      const parsed = JSON.parse(report.stdout) as Report;
      expect(parsed.totals.tags).toBe(seeded.filter((t) => t.repository === `${prefix}/r0`).length);
      // Azurite was stopped and its lock released: nothing is left running.
      expect(await readdir(dataDir)).toEqual(['azurite']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a scan without --registry, before touching any table', async () => {
    const result = await runCli(['scan'], tableEnv(`ops${run}e`));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('scan needs --registry LOGIN_SERVER');
  });
});
