import { describe, expect, it } from 'vitest';
import { convertIndex, type Converted } from '../../../src/domain/convert.js';
import {
  Docker1ManifestSigned,
  Docker2Manifest,
  Docker2ManifestList,
  InTotoLayer,
  OCI1Empty,
  OCI1Index,
  OCI1LayerGzip,
  OCI1LayerZstd,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import type { Descriptor, IndexManifest, Manifest } from '../../../src/domain/model.js';
import {
  attestationEntry,
  blob,
  bodyOf,
  digestOf,
  dockerImage,
  dockerList,
  entry,
  linuxAmd64,
  linuxArm64,
  ociImage,
  ociIndex,
  windows,
} from './builders.js';

const source = digestOf('index');

/** A child map keyed by the digest the builders give each label. */
function childMap(children: Record<string, Manifest>): Map<string, Manifest> {
  return new Map(Object.entries(children).map(([label, child]) => [digestOf(label), child]));
}

const ociChild = (label: string) => ociImage([blob(OCI1LayerGzip, `${label}-layer`)]);
const attestation = ociImage([blob(InTotoLayer, 'provenance')]);

/** The usual buildx push: two platforms, each with its provenance attestation. */
const buildxIndex = ociIndex(
  [
    entry('amd64', linuxAmd64),
    entry('arm64', linuxArm64),
    attestationEntry('att-amd64', 'amd64'),
    attestationEntry('att-arm64', 'arm64'),
  ],
  { annotations: { 'org.opencontainers.image.created': '2025-01-01T00:00:00Z' } },
);
const buildxChildren = childMap({
  amd64: ociChild('amd64'),
  arm64: ociChild('arm64'),
  'att-amd64': attestation,
  'att-arm64': attestation,
});

function converted(index: IndexManifest, children: ReadonlyMap<string, Manifest>): Converted {
  const result = convertIndex(index, source, children);
  if (!result.ok || !result.changed) throw new Error(`expected a conversion of ${source}`);
  return result;
}

function manifestsOf(result: Converted): Record<string, unknown>[] {
  return bodyOf(result.manifest.content)['manifests'] as Record<string, unknown>[];
}

describe('convertIndex of a buildx OCI index with attestations', () => {
  const result = converted(buildxIndex, buildxChildren);

  it('drops the attestation entries and reports them', () => {
    expect(result.dropped).toEqual(buildxIndex.manifests.slice(2));
    expect(manifestsOf(result)).toHaveLength(2);
  });

  it('pushes each converted child first, in index order, from its original digest', () => {
    expect(result.children.map((c) => c.sourceDigest)).toEqual([
      digestOf('amd64'),
      digestOf('arm64'),
    ]);
    expect(result.children.every((c) => c.mediaType === Docker2Manifest)).toBe(true);
  });

  it('rewrites each entry to the converted child and keeps its platform exactly', () => {
    const expected = result.children.map((child, i) => ({
      mediaType: Docker2Manifest,
      size: child.content.byteLength,
      digest: child.digest,
      platform: [linuxAmd64, linuxArm64][i],
    }));
    expect(manifestsOf(result)).toEqual(expected);
  });

  it('writes a Docker manifest list without the index annotations', () => {
    const body = bodyOf(result.manifest.content);

    expect(Object.keys(body)).toEqual(['schemaVersion', 'mediaType', 'manifests']);
    expect(body).toMatchObject({ schemaVersion: 2, mediaType: Docker2ManifestList });
    expect(result.manifest).toMatchObject({ mediaType: Docker2ManifestList, sourceDigest: source });
  });
});

describe('convertIndex entries', () => {
  it('keeps Docker children by their exact digest and size, and does not re-push them', () => {
    const index = ociIndex([entry('a', linuxAmd64, { mediaType: Docker2Manifest, size: 527 })]);

    const result = converted(index, childMap({ a: dockerImage('a') }));

    expect(result.children).toEqual([]);
    expect(manifestsOf(result)).toEqual([
      { mediaType: Docker2Manifest, size: 527, digest: digestOf('a'), platform: linuxAmd64 },
    ]);
  });

  it('keeps a Windows platform with os.version and os.features as given', () => {
    const result = converted(ociIndex([entry('w', windows)]), childMap({ w: ociChild('w') }));

    expect(manifestsOf(result)[0]!['platform']).toEqual(windows);
  });

  it('drops entries that carry artifactType, or whose child is an artifact', () => {
    const index = ociIndex([
      entry('image', linuxAmd64),
      entry('sbom', undefined, { artifactType: InTotoLayer }),
      entry('empty', undefined),
    ]);
    const children = childMap({
      image: ociChild('image'),
      empty: ociImage([], { config: blob(OCI1Empty, 'empty-config') }),
    });

    const result = converted(index, children);

    expect(result.dropped.map((d) => d.digest)).toEqual([digestOf('sbom'), digestOf('empty')]);
    expect(manifestsOf(result)).toHaveLength(1);
  });

  it('pushes a child listed twice only once', () => {
    const index = ociIndex([entry('same', linuxAmd64), entry('same', linuxArm64)]);

    const result = converted(index, childMap({ same: ociChild('same') }));

    expect(result.children).toHaveLength(1);
    expect(manifestsOf(result).map((m) => m['digest'])).toEqual([
      result.children[0]!.digest,
      result.children[0]!.digest,
    ]);
  });

  it('drops artifactType and subject from the index', () => {
    const index = ociIndex([entry('a', linuxAmd64)], {
      artifactType: InTotoLayer,
      subject: blob(OCI1Manifest, 'subject'),
    });

    const body = bodyOf(converted(index, childMap({ a: ociChild('a') })).manifest.content);

    expect(body).not.toHaveProperty('artifactType');
    expect(body).not.toHaveProperty('subject');
  });
});

describe('convertIndex on Docker manifest lists', () => {
  it('reports an all-Docker list unchanged, with no bytes to push', () => {
    const list = dockerList([
      entry('a', linuxAmd64, { mediaType: Docker2Manifest }),
      entry('b', linuxArm64, { mediaType: Docker2Manifest }),
    ]);
    const children = childMap({ a: dockerImage('a'), b: dockerImage('b') });

    expect(convertIndex(list, source, children)).toEqual({
      ok: true,
      changed: false,
      sourceDigest: source,
      mediaType: Docker2ManifestList,
    });
  });

  it('converts a mixed list so that every entry is a Docker manifest', () => {
    const list = dockerList([
      entry('a', linuxAmd64, { mediaType: Docker2Manifest }),
      entry('b', linuxArm64),
    ]);
    const children = childMap({ a: dockerImage('a'), b: ociChild('b') });

    const result = converted(list, children);

    expect(manifestsOf(result).map((m) => m['mediaType'])).toEqual([
      Docker2Manifest,
      Docker2Manifest,
    ]);
    expect(result.children.map((c) => c.sourceDigest)).toEqual([digestOf('b')]);
  });

  it('rewrites an entry whose descriptor says OCI though the child is Docker', () => {
    const list = dockerList([entry('a', linuxAmd64)]);

    const result = converted(list, childMap({ a: dockerImage('a') }));

    expect(result.children).toEqual([]);
    expect(manifestsOf(result)[0]).toMatchObject({
      mediaType: Docker2Manifest,
      digest: digestOf('a'),
    });
  });

  it('drops attestation entries from a Docker list', () => {
    const list = dockerList([
      entry('a', linuxAmd64, { mediaType: Docker2Manifest }),
      attestationEntry('att', 'a'),
    ]);
    const children = childMap({ a: dockerImage('a') });

    const result = converted(list, children);

    expect(result.dropped.map((d) => d.digest)).toEqual([digestOf('att')]);
    expect(result.children).toEqual([]);
  });
});

describe('convertIndex refusals', () => {
  const ok = entry('ok', linuxAmd64);
  const cases: {
    name: string;
    manifests: Descriptor[];
    children: Record<string, Manifest>;
    id: string;
    names: string;
  }[] = [
    {
      name: 'a child with zstd layers',
      manifests: [ok, entry('zstd', linuxArm64)],
      children: { ok: ociChild('ok'), zstd: ociImage([blob(OCI1LayerZstd, 'z')]) },
      id: 'zstd-layer',
      names: digestOf('zstd'),
    },
    {
      name: 'an entry without a platform',
      manifests: [ok, entry('bare', undefined)],
      children: { ok: ociChild('ok'), bare: ociChild('bare') },
      id: 'missing-platform',
      names: digestOf('bare'),
    },
    {
      name: 'an index inside the index',
      manifests: [ok, entry('nested', linuxArm64, { mediaType: OCI1Index })],
      children: { ok: ociChild('ok') },
      id: 'nested-index',
      names: digestOf('nested'),
    },
    {
      name: 'a child that turns out to be an index',
      manifests: [ok, entry('sneaky', linuxArm64)],
      children: { ok: ociChild('ok'), sneaky: ociIndex([ok]) },
      id: 'nested-index',
      names: digestOf('sneaky'),
    },
    {
      name: 'a child that was not fetched',
      manifests: [ok, entry('gone', linuxArm64)],
      children: { ok: ociChild('ok') },
      id: 'child-missing',
      names: digestOf('gone'),
    },
    {
      name: 'a schema 1 child',
      manifests: [ok, entry('old', linuxArm64, { mediaType: Docker1ManifestSigned })],
      children: { ok: ociChild('ok') },
      id: 'schema1',
      names: digestOf('old'),
    },
    {
      name: 'an index with only attestations',
      manifests: [attestationEntry('att', 'gone')],
      children: {},
      id: 'no-platform-children',
      names: 'no platform images',
    },
  ];

  it.each(cases)('refuses $name as $id, naming it', ({ manifests, children, id, names }) => {
    const result = convertIndex(ociIndex(manifests), source, childMap(children));

    expect(result).toMatchObject({ ok: false, reasons: [{ id }] });
    expect(result.ok ? '' : result.reasons[0]!.message).toContain(names);
  });

  it('gives the reasons of every unconvertible child', () => {
    const index = ociIndex([entry('z1', linuxAmd64), entry('z2', linuxArm64)]);
    const zstd = ociImage([blob(OCI1LayerZstd, 'z')]);

    const result = convertIndex(index, source, childMap({ z1: zstd, z2: zstd }));

    const reasons = result.ok ? [] : result.reasons;
    expect(reasons.map((r) => r.id)).toEqual(['zstd-layer', 'zstd-layer']);
    expect(reasons[1]!.message).toMatch(
      new RegExp(`^index entry ${digestOf('z2')}: layers\\[0\\]`),
    );
  });

  it('refuses a manifest that is not an index type', () => {
    const index = ociIndex([entry('a', linuxAmd64)], { mediaType: OCI1Manifest });

    const result = convertIndex(index, source, childMap({ a: ociChild('a') }));

    expect(result).toMatchObject({ ok: false, reasons: [{ id: 'unknown-manifest-type' }] });
  });
});
