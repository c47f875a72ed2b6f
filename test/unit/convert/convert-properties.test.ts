import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  convertManifest,
  type ConvertedManifest,
  type ConversionResult,
} from '../../../src/domain/convert.js';
import {
  Docker1ManifestSigned,
  Docker2ForeignLayer,
  Docker2Manifest,
  Docker2ManifestList,
  OCI1ForeignLayerGzip,
  OCI1Layer,
  OCI1LayerGzip,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import type { ImageManifest, Manifest } from '../../../src/domain/model.js';
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
import { reparse } from './reparse.js';

interface Case {
  readonly name: string;
  readonly manifest: Manifest;
  readonly children: ReadonlyMap<string, Manifest>;
}

const urls = ['https://mcr.microsoft.com/v2/windows/blobs/sha256:0123'];
const ociChild = (label: string) =>
  ociImage([blob(OCI1LayerGzip, `${label}-gz`), blob(OCI1Layer, `${label}-tar`)]);
const none = new Map<string, Manifest>();

function image(name: string, manifest: ImageManifest): Case {
  return { name, manifest, children: none };
}

/** Every convertible kind of input, images and indexes, OCI and Docker. */
const cases: readonly Case[] = [
  image('an OCI gzip image', ociImage([blob(OCI1LayerGzip, 'gz')])),
  image('an OCI uncompressed image', ociImage([blob(OCI1Layer, 'tar')])),
  image('an OCI image with no layers', ociImage([])),
  image('a Windows image', ociImage([blob(OCI1ForeignLayerGzip, 'base', { urls })])),
  image(
    'an annotated OCI image with a subject',
    ociImage([blob(OCI1LayerGzip, 'gz')], {
      annotations: { 'org.opencontainers.image.title': 'x' },
      subject: blob(OCI1Manifest, 'subject'),
    }),
  ),
  image('a Docker image with OCI layers', { ...ociChild('mixed'), mediaType: Docker2Manifest }),
  image('a Docker image', dockerImage()),
  image('a Docker Windows image', dockerImage('w', { layers: [blob(Docker2ForeignLayer, 'f')] })),
  {
    name: 'a buildx OCI index with attestations',
    manifest: ociIndex([
      entry('amd64', linuxAmd64),
      entry('arm64', linuxArm64),
      attestationEntry('att', 'amd64'),
    ]),
    children: new Map<string, Manifest>([
      [digestOf('amd64'), ociChild('amd64')],
      [digestOf('arm64'), ociChild('arm64')],
    ]),
  },
  {
    name: 'an OCI index of Docker and OCI children',
    manifest: ociIndex([
      entry('d', linuxAmd64, { mediaType: Docker2Manifest }),
      entry('w', windows),
    ]),
    children: new Map<string, Manifest>([
      [digestOf('d'), dockerImage('d')],
      [digestOf('w'), ociChild('w')],
    ]),
  },
  {
    name: 'a mixed Docker list',
    manifest: dockerList([
      entry('d', linuxAmd64, { mediaType: Docker2Manifest }),
      entry('o', windows),
    ]),
    children: new Map<string, Manifest>([
      [digestOf('d'), dockerImage('d')],
      [digestOf('o'), ociChild('o')],
    ]),
  },
  {
    name: 'an all-Docker list',
    manifest: dockerList([entry('d', linuxAmd64, { mediaType: Docker2Manifest })]),
    children: new Map<string, Manifest>([[digestOf('d'), dockerImage('d')]]),
  },
];

function run(c: Case): ConversionResult {
  return convertManifest(c.manifest, digestOf(c.name), c.children);
}

/** Everything the caller would PUT: children first, then the manifest. */
function pushed(result: ConversionResult): ConvertedManifest[] {
  if (!result.ok) throw new Error(`expected a convertible input, got ${result.reasons[0]?.id}`);
  return result.changed ? [...result.children, result.manifest] : [];
}

function blobsOf(manifest: Manifest): unknown[] {
  if (manifest.form !== 'image') return [];
  const parts = [manifest.config, ...manifest.layers];
  return parts.map(({ digest, size }) => ({ digest, size }));
}

describe.each(cases)('converting $name', (c) => {
  it('gives the same bytes every time, also for an equal copy of the input', () => {
    const first = run(c);

    expect(run(c)).toEqual(first);
    expect(run({ ...c, manifest: structuredClone(c.manifest) })).toEqual(first);
  });

  it('gives changed=false when its own output is converted again', () => {
    const result = run(c);
    if (!result.ok || !result.changed) return;

    const children = new Map(c.children);
    for (const child of result.children) children.set(child.digest, reparse(child));
    const again = convertManifest(reparse(result.manifest), result.manifest.digest, children);

    expect(again).toMatchObject({ ok: true, changed: false });
  });

  it('names each pushed manifest by the sha256 of exactly its bytes', () => {
    for (const item of pushed(run(c))) {
      const hex = createHash('sha256').update(item.content).digest('hex');
      expect(item.digest).toBe(`sha256:${hex}`);
    }
  });

  it('uses the body mediaType as the Content-Type to push with', () => {
    for (const item of pushed(run(c))) {
      expect(bodyOf(item.content)['mediaType']).toBe(item.mediaType);
      expect([Docker2Manifest, Docker2ManifestList]).toContain(item.mediaType);
    }
  });

  it('keeps every config and layer blob digest and size', () => {
    for (const item of pushed(run(c))) {
      if (item.mediaType !== Docker2Manifest) continue;
      const source =
        item.sourceDigest === digestOf(c.name) ? c.manifest : c.children.get(item.sourceDigest);
      expect(blobsOf(reparse(item))).toEqual(blobsOf(source!));
    }
  });

  it('lists only Docker manifests that are pushed now or were already there', () => {
    const result = run(c);
    if (!result.ok || !result.changed || result.manifest.mediaType !== Docker2ManifestList) return;

    const known = new Set([...result.children.map((m) => m.digest), ...c.children.keys()]);
    for (const listed of bodyOf(result.manifest.content)['manifests'] as Record<
      string,
      unknown
    >[]) {
      expect(listed['mediaType']).toBe(Docker2Manifest);
      expect(known).toContain(listed['digest']);
    }
  });
});

describe('convertManifest', () => {
  it('refuses Docker schema 1, naming the digest', () => {
    const schema1: Manifest = { form: 'schema1', mediaType: Docker1ManifestSigned, layerCount: 2 };

    const result = convertManifest(schema1, digestOf('old'));

    expect(result).toMatchObject({ ok: false, reasons: [{ id: 'schema1' }] });
    expect(result.ok ? '' : result.reasons[0]!.message).toContain(digestOf('old'));
  });
});
