/**
 * `mediatype-guard check` as a pipeline runs it: the built binary as a process, against the
 * real registry behind an emulator with anonymous access (so no Azure login is needed).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AcrEmulator } from '../support/acr-emulator.js';
import { pushImage, type PushedManifest } from '../support/images.js';
import { PushClient } from '../support/push.js';
import { startPrivateEmulator } from '../support/services.js';

const services = inject('services');
const bin = 'dist/src/cli/main.js';
const run = randomUUID().slice(0, 8);
const repository = `cli/check-${run}`;

let emulator: AcrEmulator;
let oci: PushedManifest;
let docker: PushedManifest;

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  emulator = await startPrivateEmulator(services);
  await emulator.setAuth(false);
  const pusher = new PushClient({ url: services.registry.url });
  oci = await pushImage(pusher, repository, 'oci', 'oci');
  docker = await pushImage(pusher, repository, 'docker', 'docker');
});

afterAll(() => emulator?.stop());

async function check(...args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [bin, ...args], {
      env: { ...process.env, POLICY: '', AZURE_CLIENT_ID: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('mediatype-guard check', () => {
  it('exits 0 and prints the verdict for a Docker image', async () => {
    const result = await check('check', `${emulator.host}/${repository}:docker`);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${emulator.host}/${repository}:docker@${docker.digest}`);
    expect(result.stdout).toContain('status: compliant  kind: docker-manifest');
  });

  it('exits 1 when any image is noncompliant, and says how to fix it', async () => {
    const result = await check(
      'check',
      `${emulator.host}/${repository}:docker`,
      `${emulator.host}/${repository}@${oci.digest}`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('status: noncompliant  kind: oci-manifest');
    expect(result.stdout).toMatch(/fix: .*oci-mediatypes=false/);
    expect(result.stdout).toContain('convertible to Docker media types: yes');
  });

  it('prints JSON with --json', async () => {
    const result = await check('check', '--json', `${emulator.host}/${repository}:oci`);
    const verdicts = JSON.parse(result.stdout) as { digest: string; status: string }[];
    expect(verdicts).toMatchObject([
      { digest: oci.digest, status: 'noncompliant', kind: 'oci-manifest' },
    ]);
  });

  it.each([
    [[], 'usage: mediatype-guard'],
    [['check'], 'check needs at least one image reference'],
    [['check', 'no-registry:1'], 'has no registry'],
    [['check', '--frobnicate', 'r.io/a:1'], 'unknown option --frobnicate'],
    [['check', '--policy', 'lax', 'r.io/a:1'], '--policy "lax": expected one of strict, top-level'],
    [['explode'], 'unknown command "explode"'],
  ])('exits 2 on bad usage %j', async (args, message) => {
    const result = await check(...args);
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).toContain(message);
  });

  it('exits 2 and names the reference when the tag does not exist', async () => {
    const result = await check('check', `${emulator.host}/${repository}:nope`);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('manifest-not-found');
    expect(result.stdout).toContain(`${repository}:nope`);
  });
});
