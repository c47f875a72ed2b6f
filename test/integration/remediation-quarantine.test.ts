/**
 * REMEDIATION=quarantine against docker-registry behind the ACR emulator, with Azurite: a
 * noncompliant tagged push becomes unpullable (readEnabled=false, enforced by the emulator as
 * by ACR) and the table says when and why; exempt and compliant content is never touched.
 */
import { describe, expect, inject, it } from 'vitest';
import { testApp } from '../support/app.js';
import { cloudEvent, gridEvent } from '../support/events.js';
import { copy } from '../support/skopeo.js';
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
const quarantine = { REMEDIATION: 'quarantine' } as const;

describe('REMEDIATION=quarantine', () => {
  it.each(['oci-image', 'buildx-attestations'])(
    'makes a noncompliant %s unpullable by tag and digest, and records when and why',
    async (name) => {
      const repository = uniqueRepository('quarantine');
      const guard = await testApp(services, quarantine);
      const { fixture, events, pushed } = await pushNamed(services, repository, name);
      const before = new Date().toISOString();

      for (const event of events) await guard.deliver(event);

      const digest = fixture.top.digest;
      await expect(rawManifest(skopeo, repository, pushed.tag)).rejects.toThrow(/denied/i);
      await expect(rawManifest(skopeo, repository, digest)).rejects.toThrow(/denied/i);
      await expect(
        copy(
          { ...skopeo, repository, reference: pushed.tag },
          { ...skopeo, credentials: services.emulator.admin, repository, reference: 'copy' },
        ),
      ).rejects.toThrow();
      const attributes = await guard.app
        .registryFor(registry)
        .getManifestAttributes(repository, digest);
      // Only reads are disabled: ops can still delete or overwrite the tag.
      expect(attributes).toEqual({
        readEnabled: false,
        writeEnabled: true,
        deleteEnabled: true,
        listEnabled: true,
      });

      const rows = await partitionRows(services, guard.tableName, registry, repository);
      const tagRow = rowOf(rows, `tag|${pushed.tag}`);
      expect(tagRow).toMatchObject({ action: 'quarantine', actionState: 'done', digest });
      expect(String(tagRow?.actionDetail)).toContain(`readEnabled=false on ${digest}`);
      expect(String(tagRow?.actionDetail)).toContain('by mediatype-guard; reasons: oci-');
      const history = actionRows(rows);
      expect(history.map((row) => [row.action, row.digest, row.tag])).toEqual([
        ['quarantine', digest, pushed.tag],
      ]);
      expect(String(history[0]?.checkedAt) >= before).toBe(true);
    },
  );

  it.each([
    'cosign-signature',
    'cosign-attestation',
    'notation-signature',
    'spdx-sbom',
    'referrer-attestation',
    'helm-chart',
    'buildkit-cache',
  ])('never touches the exempt %s', async (name) => {
    const repository = uniqueRepository('quarantine-exempt');
    const guard = await testApp(services, quarantine);
    const { fixture, events, pushed } = await pushNamed(services, repository, name);
    const chart = gridEvent({
      registry,
      repository,
      tag: pushed.tag,
      ...pushed.top,
      action: 'ChartPushed',
    });

    for (const event of [...events, ...(name === 'helm-chart' ? [chart] : [])]) {
      await guard.deliver(event);
    }

    expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
    const attributes = await guard.app
      .registryFor(registry)
      .getManifestAttributes(repository, fixture.top.digest);
    expect(attributes.readEnabled).toBe(true);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ status: 'exempt', action: 'none' });
    expect(actionRows(rows)).toEqual([]);
  });

  it.each(['docker-image', 'docker-list'])('leaves the compliant %s alone', async (name) => {
    const repository = uniqueRepository('quarantine-compliant');
    const guard = await testApp(services, quarantine);
    const { fixture, events, pushed } = await pushNamed(services, repository, name);

    for (const event of events) await guard.deliver(event);

    expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(actionRows(rows)).toEqual([]);
  });

  it('leaves repositories in EXEMPT_REPOSITORIES alone', async () => {
    const repository = uniqueRepository('quarantine-exempt-repo');
    const guard = await testApp(services, { ...quarantine, EXEMPT_REPOSITORIES: `${repository}` });
    const { fixture, tagged, pushed } = await pushNamed(services, repository, 'oci-image');

    await guard.deliver(tagged);

    expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ status: 'exempt' });
    expect(actionRows(rows)).toEqual([]);
  });

  it('quarantines once when the event is delivered twice, in either schema', async () => {
    const repository = uniqueRepository('quarantine-twice');
    const guard = await testApp(services, quarantine);
    const { tagged, pushed } = await pushNamed(services, repository, 'oci-image');

    const asCloudEvent = cloudEvent({
      registry,
      repository,
      tag: pushed.tag,
      ...pushed.top,
      id: tagged.id,
      time: tagged.eventTime,
    });

    const first = await guard.deliver(tagged);
    const again = [await guard.deliver(tagged), await guard.deliver(asCloudEvent)];

    expect(first).toMatchObject({ push: { action: { action: 'quarantine' } } });
    for (const outcome of again) {
      expect(outcome).toMatchObject({ push: { tagWrite: 'unchanged' } });
      expect(outcome).not.toHaveProperty('push.action');
    }
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(actionRows(rows)).toHaveLength(1);
    expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ action: 'quarantine' });
  });
});
