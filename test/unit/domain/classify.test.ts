import { describe, expect, it } from 'vitest';
import { classify, layerInfo, platformString } from '../../../src/domain/classify.js';
import { parseManifest } from '../../../src/domain/manifest.js';
import {
  Docker2ForeignLayer,
  Docker2Layer,
  Docker2LayerGzip,
  Docker2LayerZstd,
  Docker2Manifest,
  EncryptedSuffix,
  InTotoLayer,
  OCI1ForeignLayer,
  OCI1ForeignLayerGzip,
  OCI1ForeignLayerZstd,
  OCI1Config,
  OCI1Layer,
  OCI1LayerGzip,
  OCI1LayerZstd,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import { catalogue, fixtureNamed } from '../../fixtures/manifests.js';

describe('layerInfo', () => {
  const plain = { foreign: false, nondistributable: false, encrypted: false, known: true };
  const cases = [
    { type: Docker2Layer, want: { ...plain, family: 'docker', compression: 'uncompressed' } },
    { type: Docker2LayerGzip, want: { ...plain, family: 'docker', compression: 'gzip' } },
    { type: Docker2LayerZstd, want: { ...plain, family: 'docker', compression: 'zstd' } },
    {
      type: Docker2ForeignLayer,
      want: { ...plain, family: 'docker', compression: 'gzip', foreign: true },
    },
    { type: OCI1Layer, want: { ...plain, family: 'oci', compression: 'uncompressed' } },
    { type: OCI1LayerGzip, want: { ...plain, family: 'oci', compression: 'gzip' } },
    { type: OCI1LayerZstd, want: { ...plain, family: 'oci', compression: 'zstd' } },
    {
      type: OCI1ForeignLayer,
      want: { ...plain, family: 'oci', compression: 'uncompressed', nondistributable: true },
    },
    {
      type: OCI1ForeignLayerGzip,
      want: { ...plain, family: 'oci', compression: 'gzip', nondistributable: true },
    },
    {
      type: OCI1ForeignLayerZstd,
      want: { ...plain, family: 'oci', compression: 'zstd', nondistributable: true },
    },
    {
      type: OCI1LayerGzip + EncryptedSuffix,
      want: { ...plain, family: 'oci', compression: 'gzip', encrypted: true },
    },
    {
      type: OCI1LayerZstd + EncryptedSuffix,
      want: { ...plain, family: 'oci', compression: 'zstd', encrypted: true },
    },
    {
      type: `${OCI1LayerGzip.toUpperCase()}; foo=bar`,
      want: { ...plain, family: 'oci', compression: 'gzip' },
    },
    {
      type: InTotoLayer,
      want: { ...plain, family: 'unknown', compression: 'unknown', known: false },
    },
  ];

  it.each(cases)('reads $type', ({ type, want }) => {
    expect(layerInfo(type)).toEqual(want);
  });
});

describe('classify', () => {
  it.each(catalogue.map((f) => ({ name: f.name, f })))('gives $name its kind', ({ f }) => {
    const c = classify(parseManifest(f.top), f.tag);

    expect(c.kind).toBe(f.expected.kind);
    expect(c.artifact).toBe(f.expected.artifact);
  });

  const images = [
    {
      name: 'docker-image',
      want: { compression: ['gzip'], foreignLayers: false, encryptedLayers: false },
    },
    { name: 'oci-uncompressed-image', want: { compression: ['uncompressed'] } },
    { name: 'zstd-image', want: { compression: ['zstd'] } },
    {
      name: 'nondistributable-image',
      want: { nondistributableLayers: true, foreignLayers: false },
    },
    { name: 'docker-foreign-image', want: { foreignLayers: true, nondistributableLayers: false } },
    { name: 'encrypted-image', want: { encryptedLayers: true, compression: ['gzip'] } },
  ];

  it.each(images)('records the layers of $name', ({ name, want }) => {
    const image = classify(parseManifest(fixtureNamed(name).top)).image;

    expect(image).toMatchObject({ layerCount: 2, ...want });
  });

  it('records the config media type of an image', () => {
    const f = fixtureNamed('oci-image');

    expect(classify(parseManifest(f.top)).image?.configMediaType).toBe(OCI1Config);
  });

  const indexes = [
    {
      name: 'docker-list',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      attestations: 0,
      mixed: false,
    },
    {
      name: 'buildx-attestations',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      attestations: 2,
      mixed: false,
    },
    {
      name: 'mixed-list',
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      attestations: 0,
      mixed: true,
    },
  ];

  it.each(indexes)('records platforms, attestations and mixing of $name', ({ name, ...want }) => {
    const index = classify(parseManifest(fixtureNamed(name).top)).index;

    expect(index).toMatchObject(want);
    expect(index?.children).toHaveLength(want.platforms.length + want.attestations);
  });

  it('lists the child media types of a mixed list', () => {
    const index = classify(parseManifest(fixtureNamed('mixed-list').top)).index;

    expect(index?.childMediaTypes).toEqual([Docker2Manifest, OCI1Manifest]);
  });
});

describe('platformString', () => {
  it.each([
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: 'unknown', architecture: 'unknown' }, 'unknown/unknown'],
    [undefined, undefined],
  ])('spells %j as %s', (platform, want) => {
    expect(platformString(platform)).toBe(want);
  });
});
