/**
 * `mediatype-guard release IMAGE_REF [--reason TEXT]` against the services: a quarantined image
 * becomes pullable again, the table records who released it and why, and a redelivered push
 * event does not quarantine it again. Mostly in-process; once as the built binary.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliIO } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { release } from '../../src/cli/release.js';
import type { AcrEmulator } from '../support/acr-emulator.js';
import { testApp } from '../support/app.js';
import { TestCredential } from '../support/credential.js';
import { gridEvent } from '../support/events.js';
import { startPrivateEmulator } from '../support/services.js';
import {
  actionRows,
  partitionRows,
  pusherFor,
  pushNamed,
  rawManifest,
  rowOf,
  skopeoFor,
  uniqueRepository,
} from './remediation-setup.js';

const services = inject('services');
const registry = services.emulator.host;
const skopeo = skopeoFor(services);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(root, 'dist', 'src', 'cli', 'main.js');

interface Captured extends CliIO {
  readonly stdout: string[];
  readonly stderr: string[];
}

function cliIO(tableName: string): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    env: {
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      COMPLIANCE_TABLE: tableName,
    },
    out: (text) => stdout.push(text),
    err: (text) => stderr.push(text),
    isTTY: false,
    stdout,
    stderr,
  };
}

/** A quarantined oci-image: pushed, its event delivered with REMEDIATION=quarantine. */
async function quarantined(kind: string) {
  const repository = uniqueRepository(kind);
  const guard = await testApp(services, { REMEDIATION: 'quarantine' });
  const pushed = await pushNamed(services, repository, 'oci-image');
  await guard.deliver(pushed.tagged);
  await expect(rawManifest(skopeo, repository, pushed.pushed.tag)).rejects.toThrow(/denied/i);
  return { repository, guard, ...pushed };
}

describe('mediatype-guard release', () => {
  it('makes a quarantined image pullable again and records who released it and why', async () => {
    const { repository, guard, pushed, fixture } = await quarantined('release');
    const io = cliIO(guard.tableName);
    const ref = `${registry}/${repository}:${pushed.tag}`;

    const code = await release([ref, '--reason', 'INC-1234 needed by the old fleet'], io, creds());

    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toContain(`released ${ref}@${fixture.top.digest}`);
    expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    const who = userInfo().username;
    const expected = `readEnabled=true on ${fixture.top.digest} by ${who}: INC-1234`;
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({
      action: 'release',
      actionState: 'done',
      actionDetail: expect.stringContaining(expected),
    });
    expect(actionRows(rows).map((row) => [row.action, row.tag])).toEqual([
      ['quarantine', pushed.tag],
      ['release', pushed.tag],
    ]);
  });

  it('does not quarantine a released image again when its push event comes again', async () => {
    const { repository, guard, pushed, tagged } = await quarantined('release-redelivered');
    await release([`${registry}/${repository}:${pushed.tag}`], cliIO(guard.tableName), creds());

    const outcome = await guard.deliver(tagged);

    expect(outcome).not.toHaveProperty('push.action');
    await expect(rawManifest(skopeo, repository, pushed.tag)).resolves.toBeDefined();
  });

  it('releases by digest, recording "no reason given" when none is', async () => {
    const { repository, guard, fixture } = await quarantined('release-digest');
    const ref = `${registry}/${repository}@${fixture.top.digest}`;

    expect(await release([ref], cliIO(guard.tableName), creds())).toBe(0);

    expect((await rawManifest(skopeo, repository, fixture.top.digest)).digest).toBe(
      fixture.top.digest,
    );
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    const released = actionRows(rows).filter((row) => row.action === 'release');
    expect(released).toHaveLength(1);
    expect(String(released[0]?.actionDetail)).toMatch(/: no reason given$/);
  });

  it('leaves the tag row alone when the tag names other content by now', async () => {
    const { repository, guard, pushed, fixture } = await quarantined('release-moved');
    const docker = await pushNamed(services, repository, 'docker-image');
    const top = docker.fixture.top;
    await pusherFor(services).pushManifest(repository, pushed.tag, top.content, top.mediaType);
    await guard.deliver(gridEvent({ registry, repository, tag: pushed.tag, ...docker.pushed.top }));
    const ref = `${registry}/${repository}:${pushed.tag}@${fixture.top.digest}`;

    expect(await release([ref], cliIO(guard.tableName), creds())).toBe(0);

    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ digest: top.digest, action: 'none' });
    expect(actionRows(rows).map((row) => [row.action, row.digest])).toEqual([
      ['quarantine', fixture.top.digest],
      ['release', fixture.top.digest],
    ]);
  });

  it.each([
    [[], /release takes one image reference/],
    [['a.azurecr.io/x:1', 'a.azurecr.io/y:1'], /release takes one image reference/],
    [['no-registry:1'], /has no registry/],
    [['a.azurecr.io/x:1', '--reason'], /--reason needs a value/],
  ])('refuses %j with a usage error and exit status 2', async (args, message) => {
    const io = cliIO('unused');

    const code = await main(['release', ...args], io);

    expect(code).toBe(2);
    expect(io.stderr.join('\n')).toMatch(message);
  });

  it('says so when the tag does not exist', async () => {
    const repository = uniqueRepository('release-missing');
    await pushNamed(services, repository, 'docker-image');
    const io = cliIO('unused');

    const run = release([`${registry}/${repository}:nope`], io, creds());

    await expect(run).rejects.toThrow(`${registry}/${repository}:nope: tag not found`);
  });
});

describe('the built mediatype-guard binary', () => {
  let emulator: AcrEmulator;

  beforeAll(async () => {
    if (!existsSync(binary)) throw new Error(`${binary} is missing: run npm run build first`);
    // A private emulator with auth off: the process has no Entra, and its
    // DefaultAzureCredential is then never asked for a token.
    emulator = await startPrivateEmulator(services);
    await emulator.setAuth(false);
  });

  afterAll(async () => {
    await emulator?.stop();
  });

  it('releases a quarantined image as a process', async () => {
    const repository = uniqueRepository('release-process');
    const guard = await testApp(services, {
      REMEDIATION: 'quarantine',
      ALLOWED_REGISTRIES: emulator.host,
    });
    const pusher = pusherFor(services, emulator.url);
    const { tagged, pushed, fixture } = await pushNamed(
      services,
      repository,
      'oci-image',
      emulator.host,
      pusher,
    );
    await guard.deliver(tagged);
    const target = skopeoFor(services, emulator.host);
    await expect(rawManifest(target, repository, pushed.tag)).rejects.toThrow(/denied/i);

    const ref = `${emulator.host}/${repository}:${pushed.tag}`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [binary, 'release', ref, '--reason', 'verified by hand'],
      { env: processEnv(guard.tableName), timeout: 20_000 },
    );

    expect(stdout).toContain(`released ${ref}@${fixture.top.digest}: verified by hand`);
    expect((await rawManifest(target, repository, pushed.tag)).digest).toBe(fixture.top.digest);
    const rows = await partitionRows(services, guard.tableName, emulator.host, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ action: 'release' });
  });
});

function creds(): TestCredential {
  return new TestCredential();
}

/** The test CA (inherited) and the table; no Azure identity or remediation settings. */
function processEnv(tableName: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['COMPLIANCE_TABLE_URL', 'AZURE_CLIENT_ID', 'REMEDIATION']) delete env[name];
  return {
    ...env,
    COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
    COMPLIANCE_TABLE: tableName,
  };
}
