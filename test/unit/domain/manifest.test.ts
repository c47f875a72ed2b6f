import { describe, expect, it } from 'vitest';
import {
  emptyConfigDescriptor,
  isManifestMediaType,
  parseManifest,
} from '../../../src/domain/manifest.js';
import {
  Docker1Manifest,
  Docker1ManifestSigned,
  Docker2Manifest,
  Docker2ManifestList,
  GenericContentTypes,
  NotarySignature,
  OCI1ArtifactManifestRC,
  OCI1Config,
  OCI1Index,
  OCI1LayerGzip,
  OCI1Manifest,
  SpdxJson,
} from '../../../src/domain/media-types.js';
import type { ManifestBlob } from '../../../src/domain/model.js';
import { sha256, utf8 } from '../../fixtures/blobs.js';
import { catalogue } from '../../fixtures/manifests.js';

const digest = `sha256:${'b'.repeat(64)}`;
const config = { mediaType: OCI1Config, digest, size: 10 };
const layer = { mediaType: OCI1LayerGzip, digest, size: 20 };

function json(body: unknown, mediaType: string): ManifestBlob {
  const content = utf8(JSON.stringify(body));
  return { digest: sha256(content), mediaType, content };
}

describe('parseManifest', () => {
  const all = catalogue.flatMap((f) => [f.top, ...f.children.values(), ...f.subjects]);

  it.each(all.map((blob) => ({ digest: blob.digest, blob })))(
    'parses fixture $digest',
    ({ blob }) => {
      const manifest = parseManifest(blob);

      expect(manifest.mediaType).toBe(blob.mediaType);
    },
  );

  it('keeps every descriptor field of an OCI 1.1 referrer', () => {
    const subject = { ...layer, mediaType: OCI1Manifest };
    const blob = json(
      {
        schemaVersion: 2,
        mediaType: OCI1Manifest,
        artifactType: SpdxJson,
        config: { ...config, data: 'e30=' },
        layers: [{ ...layer, urls: ['https://example.com/x'], annotations: { a: 'b' } }],
        subject,
        annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
      },
      OCI1Manifest,
    );

    expect(parseManifest(blob)).toEqual({
      form: 'image',
      mediaType: OCI1Manifest,
      artifactType: SpdxJson,
      config: { ...config, data: 'e30=' },
      layers: [{ ...layer, urls: ['https://example.com/x'], annotations: { a: 'b' } }],
      subject,
      annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
    });
  });

  it('reads index platforms with variant, os.version and os.features', () => {
    const platform = {
      os: 'windows',
      architecture: 'amd64',
      'os.version': '10.0.20348.2340',
      'os.features': ['win32k'],
    };
    const entry = { ...layer, mediaType: Docker2Manifest, platform };
    const manifest = parseManifest(
      json(
        { schemaVersion: 2, mediaType: Docker2ManifestList, manifests: [entry] },
        Docker2ManifestList,
      ),
    );

    expect(manifest).toEqual({ form: 'index', mediaType: Docker2ManifestList, manifests: [entry] });
  });

  it('models the 1.1-rc artifact manifest with the empty config and its blobs as layers', () => {
    const body = {
      mediaType: OCI1ArtifactManifestRC,
      artifactType: NotarySignature,
      blobs: [layer],
    };
    const manifest = parseManifest(json(body, OCI1ArtifactManifestRC));

    expect(manifest).toMatchObject({
      form: 'image',
      config: emptyConfigDescriptor,
      layers: [layer],
    });
  });

  it('counts schema 1 layers', () => {
    const body = { schemaVersion: 1, name: 'a/b', tag: 'v1', fsLayers: [{ blobSum: digest }] };

    expect(parseManifest(json(body, Docker1Manifest))).toEqual({
      form: 'schema1',
      mediaType: Docker1Manifest,
      name: 'a/b',
      tag: 'v1',
      layerCount: 1,
    });
  });
});

describe('which media type a manifest has', () => {
  const image = { schemaVersion: 2, config, layers: [layer] };
  const index = { schemaVersion: 2, manifests: [] };
  const schema1 = { schemaVersion: 1, fsLayers: [] };

  const cases: readonly { name: string; header: string; body: object; want: string }[] = [
    {
      name: 'the Content-Type, when the body has none',
      header: OCI1Manifest,
      body: image,
      want: OCI1Manifest,
    },
    {
      name: 'the Content-Type with parameters and capitals, normalized',
      header: `${OCI1Index.toUpperCase()}; charset=utf-8`,
      body: index,
      want: OCI1Index,
    },
    {
      name: 'the body, when the Content-Type is missing',
      header: '',
      body: { ...image, mediaType: Docker2Manifest },
      want: Docker2Manifest,
    },
    {
      name: 'the body, when the Content-Type is generic JSON',
      header: GenericContentTypes[0],
      body: { ...index, mediaType: Docker2ManifestList },
      want: Docker2ManifestList,
    },
    { name: 'an OCI index, from manifests alone', header: '', body: index, want: OCI1Index },
    {
      name: 'an OCI image, from config and layers alone',
      header: '',
      body: image,
      want: OCI1Manifest,
    },
    { name: 'schema 1, from schemaVersion 1', header: '', body: schema1, want: Docker1Manifest },
    {
      name: 'signed schema 1, from its signatures',
      header: GenericContentTypes[1],
      body: { ...schema1, signatures: [] },
      want: Docker1ManifestSigned,
    },
    {
      name: 'the 1.1-rc artifact manifest, from blobs alone',
      header: '',
      body: { blobs: [] },
      want: OCI1ArtifactManifestRC,
    },
  ];

  it.each(cases)('is $name', ({ header, body, want }) => {
    expect(parseManifest(json(body, header)).mediaType).toBe(want);
  });

  it.each([
    [OCI1Manifest, true],
    [Docker1ManifestSigned, true],
    [OCI1Config, false],
    ['', false],
  ])('knows whether %s is a manifest type (%s)', (type, want) => {
    expect(isManifestMediaType(type)).toBe(want);
  });
});
