/**
 * REMEDIATION_DRY_RUN=true: the table says what each mode would do, and the registry is left
 * exactly as it was (no PUTs, no attribute changes). What a dry run announces is what the live
 * run then does, to the digest.
 */
import { describe, expect, inject, it } from 'vitest';
import { EmulatorClient } from '../support/acr-emulator.js';
import { testApp } from '../support/app.js';
import {
  actionRows,
  partitionRows,
  pushNamed,
  rawManifest,
  rowOf,
  skopeoFor,
  uniqueRepository,
} from './remediation-setup.js';

const services = inject('services');
const registry = services.emulator.host;
const skopeo = skopeoFor(services);
const emulator = new EmulatorClient(services.emulator.url);

/** Requests that change a repository: manifest PUTs and /acr/v1 attribute PATCHes. */
async function writes(repository: string): Promise<number> {
  const puts = await emulator.count({ method: 'PUT', repository });
  const patches = await emulator.count({ method: 'PATCH', repository });
  return puts + patches;
}

describe('REMEDIATION_DRY_RUN=true', () => {
  it.each([
    ['quarantine', 'record', 'oci-image', 'dry-run:quarantine', /^would set readEnabled=false on/],
    ['retag', 'record', 'oci-image', 'dry-run:retag', /^would have converted sha256:\w+ to/],
    ['retag', 'record', 'zstd-image', 'dry-run:retag-refused', /^not converted: .*zstd/i],
    ['retag', 'quarantine', 'zstd-image', 'dry-run:quarantine', /not converted: .*zstd/i],
  ])(
    'REMEDIATION=%s (RETAG_FALLBACK=%s) records what it would do to %s and changes nothing',
    async (mode, fallback, name, action, detail) => {
      const repository = uniqueRepository('dry-run');
      const guard = await testApp(services, {
        REMEDIATION: mode,
        RETAG_FALLBACK: fallback,
        REMEDIATION_DRY_RUN: 'true',
      });
      const { fixture, tagged, pushed } = await pushNamed(services, repository, name);
      const writesBefore = await writes(repository);

      const outcome = await guard.deliver(tagged);

      expect(outcome).toMatchObject({ push: { action: { action } } });
      expect(await writes(repository)).toBe(writesBefore);
      expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
      await expect(rawManifest(skopeo, repository, `${pushed.tag}-oci`)).rejects.toThrow();
      const rows = await partitionRows(services, guard.tableName, registry, repository);
      expect(String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail)).toMatch(detail);
      expect(actionRows(rows).map((row) => row.action)).toEqual([action]);
    },
  );

  it('announces the very digest a live retag then produces', async () => {
    const dryRepository = uniqueRepository('dry-run-announce');
    const liveRepository = uniqueRepository('dry-run-live');
    const dry = await testApp(services, { REMEDIATION: 'retag', REMEDIATION_DRY_RUN: 'true' });
    const live = await testApp(services, { REMEDIATION: 'retag' });
    const planned = await pushNamed(services, dryRepository, 'buildx-attestations');
    const done = await pushNamed(services, liveRepository, 'buildx-attestations');

    const announced = await dry.deliver(planned.tagged);
    await live.deliver(done.tagged);

    const converted = await rawManifest(skopeo, liveRepository, done.pushed.tag);
    expect(announced).toMatchObject({
      push: { action: { detail: expect.stringContaining(`to ${converted.digest}`) } },
    });
  });
});
