import { describe, expect, it } from 'vitest';
import { childrenToFetch, evaluate } from '../../../src/domain/verdict.js';
import {
  Docker1Manifest,
  Docker2Manifest,
  Docker2ManifestList,
  OCI1Index,
  OCI1LayerGzip,
  SpdxJson,
} from '../../../src/domain/media-types.js';
import type { ManifestBlob } from '../../../src/domain/model.js';
import { describe as descriptorOf, manifestBlob, utf8, sha256 } from '../../fixtures/blobs.js';
import { amd64, arm64, image, index, type Built, type Entry } from '../../fixtures/images.js';

const strict = { policy: 'strict', exemptRepositories: [] } as const;

const dockerAmd = image({ flavor: 'docker', platform: amd64, layers: ['gzip'], seed: 'c-amd' });
const dockerArm = image({ flavor: 'docker', platform: arm64, layers: ['gzip'], seed: 'c-arm' });
const ociArm = image({ flavor: 'oci', platform: arm64, layers: ['gzip'], seed: 'c-oci' });

function listed(built: Built, extra: Record<string, unknown>): Entry {
  return { built, descriptor: descriptorOf(built.top, { platform: arm64, ...extra }) };
}

function verdictOf(list: Built, children: readonly ManifestBlob[] = list.children) {
  const byDigest = new Map(children.map((c) => [c.digest, c]));
  return evaluate(
    { repository: 'example/app', tag: 'v1', top: list.top, children: byDigest },
    strict,
  );
}

const ids = (list: readonly { id: string }[]): string[] => list.map((r) => r.id).sort();

describe('strict checks of what a list names', () => {
  it('flags a Docker entry whose manifest is served as OCI', () => {
    const list = index('docker', [
      { image: dockerAmd, platform: amd64 },
      listed(ociArm, { mediaType: Docker2Manifest }),
    ]);
    const verdict = verdictOf(list);

    expect(verdict.status).toBe('noncompliant');
    expect(ids(verdict.reasons)).toEqual(['child-media-type-mismatch', 'oci-config', 'oci-layer']);
  });

  it('flags an entry whose size differs from the bytes served', () => {
    const list = index('docker', [
      { image: dockerAmd, platform: amd64 },
      listed(dockerArm, { size: dockerArm.top.content.byteLength + 1 }),
    ]);
    const verdict = verdictOf(list);

    expect(verdict.status).toBe('error');
    expect(verdict.reasons[0]?.message).toMatch(/listed with size \d+, served \d+ bytes/);
  });

  it('flags a child that hashes right but is not a manifest', () => {
    const junk = utf8('{"schemaVersion": 2, "config": 5}');
    const child: ManifestBlob = { digest: sha256(junk), mediaType: Docker2Manifest, content: junk };
    const entry = { mediaType: Docker2Manifest, digest: child.digest, size: junk.byteLength };
    const list = index('docker', [
      { image: dockerAmd, platform: amd64 },
      { built: { top: child, children: [], blobs: [] }, descriptor: { ...entry, platform: arm64 } },
    ]);
    const verdict = verdictOf(list);

    expect(ids(verdict.reasons)).toEqual(['child-invalid']);
    expect(verdict.reasons[0]?.message).toContain('config: expected an object, got number 5');
  });

  const byDescriptor: readonly { name: string; entry: Record<string, unknown>; id: string }[] = [
    { name: 'a nested index', entry: { mediaType: OCI1Index }, id: 'nested-index' },
    { name: 'a schema 1 manifest', entry: { mediaType: Docker1Manifest }, id: 'docker-schema1' },
    { name: 'a layer blob', entry: { mediaType: OCI1LayerGzip }, id: 'unknown-child' },
  ];

  it.each(byDescriptor)(
    'flags $name from its descriptor alone, without fetching it',
    ({ entry, id }) => {
      const list = index('docker', [
        { image: dockerAmd, platform: amd64 },
        listed(dockerArm, entry),
      ]);

      expect(childrenToFetch(list.top, 'strict')).toEqual([dockerAmd.top.digest]);
      expect(ids(verdictOf(list, [dockerAmd.top]).reasons)).toContain(id);
    },
  );

  it('does not fetch entries that carry an artifactType, though they still mix the list', () => {
    const list = index('docker', [
      { image: dockerAmd, platform: amd64 },
      listed(ociArm, { artifactType: SpdxJson }),
    ]);

    expect(childrenToFetch(list.top, 'strict')).toEqual([dockerAmd.top.digest]);
    expect(ids(verdictOf(list, [dockerAmd.top]).reasons)).toEqual(['mixed-list']);
  });

  it('fetches a child listed twice once', () => {
    const list = index('oci', [
      { image: dockerAmd, platform: amd64 },
      { image: dockerAmd, platform: { os: 'linux', architecture: 'amd64', variant: 'v2' } },
    ]);

    expect(childrenToFetch(list.top, 'strict')).toEqual([dockerAmd.top.digest]);
  });

  it('lets an index with no platform entry through under strict but not the converter', () => {
    const empty = manifestBlob(Docker2ManifestList, {
      schemaVersion: 2,
      mediaType: Docker2ManifestList,
      manifests: [],
    });
    const verdict = verdictOf({ top: empty, children: [], blobs: [] });

    expect(verdict.status).toBe('compliant');
    expect(ids(verdict.notConvertible)).toEqual(['no-platform-children']);
  });
});
