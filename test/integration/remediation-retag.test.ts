/**
 * REMEDIATION=retag against docker-registry behind the ACR emulator, with Azurite: the push
 * event goes to onRegistryEvent, then skopeo, as an independent client, checks what the tag
 * resolves to, that it can be copied, and that the original is kept.
 */
import { describe, expect, inject, it } from 'vitest';
import {
  Docker2Config,
  Docker2LayerGzip,
  Docker2Manifest,
  Docker2ManifestList,
  NotarySignature,
} from '../../src/domain/media-types.js';
import { cosignSignature, cosignTag, notationSignature, spdxSbom } from '../fixtures/artifacts.js';
import type { Built } from '../fixtures/images.js';
import { fixtureNamed } from '../fixtures/manifests.js';
import { testApp } from '../support/app.js';
import { gridEvent } from '../support/events.js';
import { copy, inspect } from '../support/skopeo.js';
import {
  actionRows,
  blobDigests,
  partitionRows,
  pusherFor,
  pushNamed,
  rawManifest,
  rowOf,
  skopeoFor,
  uniqueRepository,
  type ManifestJson,
} from './remediation-setup.js';

const services = inject('services');
const registry = services.emulator.host;
const skopeo = skopeoFor(services);
const retag = { REMEDIATION: 'retag' } as const;

function bodyOf(content: Uint8Array): ManifestJson {
  return JSON.parse(new TextDecoder().decode(content)) as ManifestJson;
}

describe('REMEDIATION=retag', () => {
  it('moves the tag of an OCI image to a Docker v2 copy, config and layers unchanged', async () => {
    const repository = uniqueRepository('retag-image');
    const guard = await testApp(services, retag);
    const { fixture, tagged, pushed } = await pushNamed(services, repository, 'oci-image');

    const outcome = await guard.deliver(tagged);

    expect(outcome).toMatchObject({ kind: 'recorded', push: { action: { action: 'retag' } } });
    const now = await rawManifest(skopeo, repository, pushed.tag);
    expect(now.body.mediaType).toBe(Docker2Manifest);
    expect(now.body.config?.mediaType).toBe(Docker2Config);
    expect(now.body.layers?.map((layer) => layer.mediaType)).toEqual([
      Docker2LayerGzip,
      Docker2LayerGzip,
    ]);
    expect(blobDigests(now.body)).toEqual(blobDigests(bodyOf(fixture.top.content)));
    expect(now.body.annotations).toBeUndefined();

    const backup = await rawManifest(skopeo, repository, `${pushed.tag}-oci`);
    expect(backup.bytes.equals(Buffer.from(fixture.top.content))).toBe(true);

    const destination = { ...skopeo, credentials: services.emulator.admin };
    const copied = `${repository}-copy`;
    await copy(
      { ...skopeo, repository, reference: pushed.tag },
      { ...destination, repository: copied, reference: 'v1' },
    );
    expect((await rawManifest(skopeo, copied, 'v1')).digest).toBe(now.digest);

    const rows = await partitionRows(services, guard.tableName, registry, repository);
    const tagRow = rowOf(rows, `tag|${pushed.tag}`);
    expect(tagRow).toMatchObject({ action: 'retag', actionState: 'done' });
    expect(String(tagRow?.actionDetail)).toContain(`to ${now.digest}`);
    expect(String(tagRow?.actionDetail)).toContain(`original kept as ${pushed.tag}-oci`);
    expect(actionRows(rows).map((row) => [row.action, row.digest])).toEqual([
      ['retag', fixture.top.digest],
    ]);
  });

  it('turns an OCI index with attestations into a Docker list of converted children', async () => {
    const repository = uniqueRepository('retag-index');
    const guard = await testApp(services, retag);
    const { fixture, events, pushed } = await pushNamed(
      services,
      repository,
      'buildx-attestations',
    );

    for (const event of events) await guard.deliver(event);

    const list = await rawManifest(skopeo, repository, pushed.tag);
    const original = bodyOf(fixture.top.content);
    const images = (original.manifests ?? []).filter((m) => m.platform?.os !== 'unknown');
    expect(list.body.mediaType).toBe(Docker2ManifestList);
    expect(list.body.manifests?.map((m) => m.platform)).toEqual(images.map((m) => m.platform));
    expect(list.body.manifests?.every((m) => m.mediaType === Docker2Manifest)).toBe(true);
    expect(list.body.manifests?.some((m) => m.annotations !== undefined)).toBe(false);

    for (const [i, entry] of (list.body.manifests ?? []).entries()) {
      const child = await rawManifest(skopeo, repository, entry.digest);
      const source = fixture.children.get(images[i]!.digest)!;
      expect(child.body.mediaType).toBe(Docker2Manifest);
      expect(child.body.config?.mediaType).toBe(Docker2Config);
      expect(blobDigests(child.body)).toEqual(blobDigests(bodyOf(source.content)));
    }

    const backup = await rawManifest(skopeo, repository, `${pushed.tag}-oci`);
    expect(backup.digest).toBe(fixture.top.digest);

    const destination = { ...skopeo, credentials: services.emulator.admin };
    await copy(
      { ...skopeo, repository, reference: pushed.tag },
      { ...destination, repository: `${repository}-copy`, reference: 'v1' },
      { all: true },
    );
    const copied = await rawManifest(skopeo, `${repository}-copy`, 'v1');
    expect(copied.digest).toBe(list.digest);

    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail)).toContain(
      '2 children converted; 2 attestation entries dropped',
    );
  });

  it.each(['oci-uncompressed-image', 'nondistributable-image', 'oci-index', 'mixed-list'])(
    'converts %s to Docker media types throughout, over the very same blobs',
    async (name) => {
      const repository = uniqueRepository('retag-kinds');
      const guard = await testApp(services, retag);
      const { fixture, events, pushed } = await pushNamed(services, repository, name);

      for (const event of events) await guard.deliver(event);

      const top = await rawManifest(skopeo, repository, pushed.tag);
      const pairs: [ManifestJson, ManifestJson][] = [];
      if (top.body.manifests === undefined) {
        pairs.push([top.body, bodyOf(fixture.top.content)]);
      } else {
        expect(top.body.mediaType).toBe(Docker2ManifestList);
        const sources = bodyOf(fixture.top.content).manifests ?? [];
        for (const [i, entry] of top.body.manifests.entries()) {
          expect(entry.mediaType).toBe(Docker2Manifest);
          const source = fixture.children.get(sources[i]!.digest)!;
          pairs.push([
            (await rawManifest(skopeo, repository, entry.digest)).body,
            bodyOf(source.content),
          ]);
        }
      }
      for (const [converted, source] of pairs) {
        expect(converted.mediaType).toBe(Docker2Manifest);
        expect(converted.config?.mediaType).toBe(Docker2Config);
        for (const layer of converted.layers ?? []) {
          expect(layer.mediaType).toMatch(/^application\/vnd\.docker\.image\.rootfs\./);
        }
        expect(blobDigests(converted)).toEqual(blobDigests(source));
      }
    },
  );

  it.each([
    ['""', 'by digest only', '', []],
    ['.orig', 'by digest and as v1.orig', '.orig', ['v1.orig']],
  ])(
    'with RETAG_BACKUP_SUFFIX=%s keeps the original %s',
    async (_label, _kept, suffix, backups) => {
      const repository = uniqueRepository('retag-suffix');
      const guard = await testApp(services, { ...retag, RETAG_BACKUP_SUFFIX: suffix });
      const { fixture, pushed } = await pushNamed(services, repository, 'oci-image');
      const tagged = gridEvent({ registry, repository, tag: 'v1', ...pushed.top });
      const top = fixture.top;
      await pusherFor(services).pushManifest(repository, 'v1', top.content, top.mediaType);

      await guard.deliver(tagged);

      expect((await rawManifest(skopeo, repository, 'v1')).body.mediaType).toBe(Docker2Manifest);
      expect((await rawManifest(skopeo, repository, top.digest)).digest).toBe(top.digest);
      const tags = await inspect(skopeo, repository, 'v1');
      expect([...tags.RepoTags].sort()).toEqual([pushed.tag, 'v1', ...backups].sort());
    },
  );

  it.each([
    ['zstd-image', 'zstd'],
    ['encrypted-image', 'encrypted'],
  ])('refuses to convert %s, records why, and leaves the tag as it was', async (name, word) => {
    const repository = uniqueRepository(`retag-refused`);
    const guard = await testApp(services, retag);
    const { fixture, tagged, pushed } = await pushNamed(services, repository, name);

    const outcome = await guard.deliver(tagged);

    expect(outcome).toMatchObject({ push: { action: { action: 'retag-refused' } } });
    const now = await rawManifest(skopeo, repository, pushed.tag);
    expect(now.digest).toBe(fixture.top.digest);
    await expect(rawManifest(skopeo, repository, `${pushed.tag}-oci`)).rejects.toThrow();
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail)).toMatch(
      new RegExp(`not converted: .*${word}`, 'i'),
    );
  });

  it('quarantines what it cannot convert when RETAG_FALLBACK=quarantine', async () => {
    const repository = uniqueRepository('retag-fallback');
    const guard = await testApp(services, { ...retag, RETAG_FALLBACK: 'quarantine' });
    const { tagged, pushed } = await pushNamed(services, repository, 'zstd-image');

    const outcome = await guard.deliver(tagged);

    expect(outcome).toMatchObject({ push: { action: { action: 'quarantine' } } });
    await expect(rawManifest(skopeo, repository, pushed.tag)).rejects.toThrow(/denied|403/i);
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail)).toContain('not converted');
  });

  it('leaves a cosign-signed image unconverted unless RETAG_SIGNED=true', async () => {
    const results: Record<string, unknown> = {};
    for (const signed of ['false', 'true']) {
      const repository = uniqueRepository('retag-signed');
      const guard = await testApp(services, { ...retag, RETAG_SIGNED: signed });
      const { fixture, tagged, pushed } = await pushNamed(services, repository, 'oci-image');
      const signature = await pushSignature(repository, fixture.top);

      await guard.deliver(signature);
      const outcome = await guard.deliver(tagged);

      const now = await rawManifest(skopeo, repository, pushed.tag);
      results[signed] = {
        action: (outcome as { push?: { action?: { action: string } } }).push?.action?.action,
        mediaType: now.body.mediaType,
      };
    }

    expect(results).toEqual({
      false: { action: 'retag-refused', mediaType: fixtureNamed('oci-image').top.mediaType },
      true: { action: 'retag', mediaType: Docker2Manifest },
    });
  });

  it('leaves a Notation-signed image unconverted unless RETAG_SIGNED=true', async () => {
    const image = fixtureNamed('oci-image');
    const signature = notationSignature(image.top);
    const results: Record<string, unknown> = {};
    for (const signed of ['false', 'true']) {
      const repository = uniqueRepository('retag-notation');
      const guard = await testApp(services, { ...retag, RETAG_SIGNED: signed });
      const { tagged, pushed } = await pushNamed(services, repository, 'oci-image');
      const signatureEvent = await pushReferrer(repository, signature);

      await guard.deliver(signatureEvent);
      const outcome = await guard.deliver(tagged);

      const now = await rawManifest(skopeo, repository, pushed.tag);
      const rows = await partitionRows(services, guard.tableName, registry, repository);
      results[signed] = {
        action: (outcome as { push?: { action?: { action: string } } }).push?.action?.action,
        mediaType: now.body.mediaType,
        detail: String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail),
      };
    }

    expect(results).toEqual({
      false: {
        action: 'retag-refused',
        mediaType: image.top.mediaType,
        detail: expect.stringContaining(
          `not converted: signed (signature referrer ${signature.top.digest} ${NotarySignature})` +
            ': conversion would invalidate its signatures; set RETAG_SIGNED=true',
        ),
      },
      true: {
        action: 'retag',
        mediaType: Docker2Manifest,
        detail: expect.stringContaining(
          '1 referrer (signature) stays attached to the original digest',
        ),
      },
    });
  });

  it('converts an image with only an SBOM referrer, saying the SBOM stays behind', async () => {
    const repository = uniqueRepository('retag-sbom');
    const guard = await testApp(services, retag);
    const { fixture, tagged, pushed } = await pushNamed(services, repository, 'oci-image');
    await pushReferrer(repository, spdxSbom(fixture.top));

    const outcome = await guard.deliver(tagged);

    expect(outcome).toMatchObject({ push: { action: { action: 'retag' } } });
    expect((await rawManifest(skopeo, repository, pushed.tag)).body.mediaType).toBe(
      Docker2Manifest,
    );
    const rows = await partitionRows(services, guard.tableName, registry, repository);
    expect(String(rowOf(rows, `tag|${pushed.tag}`)?.actionDetail)).toContain(
      '1 referrer (sbom) stays attached to the original digest',
    );
  });

  it.each(['spdx-sbom', 'referrer-attestation', 'cosign-signature', 'buildkit-cache'])(
    'never converts the %s artifact',
    async (name) => {
      const repository = uniqueRepository('retag-artifact');
      const guard = await testApp(services, retag);
      const { fixture, events, pushed } = await pushNamed(services, repository, name);

      for (const event of events) await guard.deliver(event);

      expect((await rawManifest(skopeo, repository, pushed.tag)).digest).toBe(fixture.top.digest);
      const rows = await partitionRows(services, guard.tableName, registry, repository);
      expect(actionRows(rows)).toEqual([]);
      expect(rowOf(rows, `tag|${pushed.tag}`)).toMatchObject({ status: 'exempt', action: 'none' });
    },
  );
});

/** Attaches an OCI 1.1 referrer (`subject` names the image) by digest, as Notation and oras do. */
async function pushReferrer(repository: string, built: Built) {
  const pusher = pusherFor(services);
  for (const blob of built.blobs) await pusher.pushBlob(repository, blob.content);
  const { top } = built;
  await pusher.pushManifest(repository, top.digest, top.content, top.mediaType);
  return gridEvent({ registry, repository, digest: top.digest, mediaType: top.mediaType });
}

/** Signs `subject` the way cosign stores it: a manifest under `sha256-<hex>.sig`. */
async function pushSignature(
  repository: string,
  subject: { digest: string; mediaType: string; content: Uint8Array },
) {
  const built = cosignSignature(subject, `${registry}/${repository}`);
  const pusher = pusherFor(services);
  for (const blob of built.blobs) await pusher.pushBlob(repository, blob.content);
  const tag = cosignTag(subject, 'sig');
  const { top } = built;
  await pusher.pushManifest(repository, tag, top.content, top.mediaType);
  return gridEvent({ registry, repository, tag, digest: top.digest, mediaType: top.mediaType });
}
