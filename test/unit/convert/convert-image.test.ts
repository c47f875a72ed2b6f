import { describe, expect, it } from 'vitest';
import { convertImage } from '../../../src/domain/convert.js';
import {
  CosignSimpleSigningLayer,
  Docker2Config,
  Docker2ForeignLayer,
  Docker2Layer,
  Docker2LayerGzip,
  Docker2LayerZstd,
  Docker2Manifest,
  EncryptedSuffix,
  HelmChartConfig,
  InTotoLayer,
  OCI1ArtifactManifestRC,
  OCI1Config,
  OCI1Empty,
  OCI1ForeignLayer,
  OCI1ForeignLayerGzip,
  OCI1ForeignLayerZstd,
  OCI1Index,
  OCI1Layer,
  OCI1LayerGzip,
  OCI1LayerZstd,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import type { Descriptor, ImageManifest } from '../../../src/domain/model.js';
import { blob, bodyOf, digestOf, dockerImage, ociImage } from './builders.js';

const source = digestOf('source');
const foreignUrls = ['https://mcr.microsoft.com/v2/windows/blobs/sha256:0123'];

function converted(manifest: ImageManifest) {
  const result = convertImage(manifest, source);
  if (!result.ok || !result.changed) throw new Error(`expected a conversion, got ${result.ok}`);
  return result;
}

describe('convertImage to a Docker v2 manifest', () => {
  it.each([
    { name: 'tar+gzip', from: blob(OCI1LayerGzip, 'gz'), to: Docker2LayerGzip },
    { name: 'uncompressed tar', from: blob(OCI1Layer, 'tar'), to: Docker2Layer },
    {
      name: 'non-distributable tar+gzip, keeping urls',
      from: blob(OCI1ForeignLayerGzip, 'foreign', { urls: foreignUrls }),
      to: Docker2ForeignLayer,
    },
    { name: 'Docker gzip left as is', from: blob(Docker2LayerGzip, 'dgz'), to: Docker2LayerGzip },
    { name: 'Docker tar left as is', from: blob(Docker2Layer, 'dtar'), to: Docker2Layer },
    {
      name: 'Docker foreign left as is',
      from: blob(Docker2ForeignLayer, 'dforeign', { urls: foreignUrls }),
      to: Docker2ForeignLayer,
    },
  ])('rewrites a $name layer to its Docker type with the same digest and size', ({ from, to }) => {
    const result = converted(ociImage([from]));

    const layers = bodyOf(result.manifest.content)['layers'];
    const urls = from.urls === undefined ? {} : { urls: from.urls };
    expect(layers).toEqual([{ mediaType: to, size: from.size, digest: from.digest, ...urls }]);
  });

  it('writes the schema 2 shape in a fixed key order, config blob unchanged', () => {
    const manifest = ociImage([blob(OCI1LayerGzip, 'a'), blob(OCI1Layer, 'b')]);

    const result = converted(manifest);

    const config = { mediaType: Docker2Config, size: 6000, digest: digestOf('config') };
    const layers = [
      { mediaType: Docker2LayerGzip, size: 1000, digest: digestOf('a') },
      { mediaType: Docker2Layer, size: 1000, digest: digestOf('b') },
    ];
    const expected = { schemaVersion: 2, mediaType: Docker2Manifest, config, layers };
    expect(new TextDecoder().decode(result.manifest.content)).toBe(JSON.stringify(expected));
    expect(result).toMatchObject({ children: [], dropped: [] });
    expect(result.manifest.sourceDigest).toBe(source);
  });

  it('drops annotations, subject and embedded data that schema 2 cannot carry', () => {
    const layer = blob(OCI1LayerGzip, 'a', { annotations: { 'org.example': 'x' }, data: 'AA==' });
    const manifest = ociImage([layer], {
      annotations: { 'org.opencontainers.image.source': 'https://example.com/repo' },
      subject: blob(OCI1Manifest, 'base'),
      config: blob(OCI1Config, 'config', { annotations: { a: 'b' }, urls: foreignUrls }),
    });

    const body = bodyOf(converted(manifest).manifest.content);

    expect(Object.keys(body)).toEqual(['schemaVersion', 'mediaType', 'config', 'layers']);
    expect(Object.keys(body['config'] as object)).toEqual(['mediaType', 'size', 'digest']);
    expect(Object.keys((body['layers'] as object[])[0]!)).toEqual(['mediaType', 'size', 'digest']);
  });

  it('omits urls when a layer lists none', () => {
    const result = converted(ociImage([blob(OCI1ForeignLayerGzip, 'f', { urls: [] })]));

    expect((bodyOf(result.manifest.content)['layers'] as object[])[0]).not.toHaveProperty('urls');
  });

  it('converts a Docker manifest that carries OCI config and layer types', () => {
    const manifest = ociImage([blob(Docker2LayerGzip, 'a'), blob(OCI1LayerGzip, 'b')], {
      mediaType: Docker2Manifest,
    });

    const body = bodyOf(converted(manifest).manifest.content);

    expect(body['config']).toMatchObject({ mediaType: Docker2Config });
    expect(body['layers']).toMatchObject([
      { mediaType: Docker2LayerGzip },
      { mediaType: Docker2LayerGzip },
    ]);
  });

  it('compares media types without case or parameters', () => {
    const manifest = dockerImage('x', { mediaType: `${Docker2Manifest}; charset=utf-8` });
    const layer = blob(Docker2LayerGzip.toUpperCase(), 'upper');

    expect(convertImage({ ...manifest, layers: [layer] }, source)).toMatchObject({
      ok: true,
      changed: false,
    });
  });
});

describe('convertImage on input that is already Docker', () => {
  it.each([
    { name: 'a plain Docker image', manifest: dockerImage() },
    { name: 'a Docker image with no layers', manifest: dockerImage('empty', { layers: [] }) },
    {
      name: 'a Docker image with a foreign layer',
      manifest: dockerImage('w', {
        layers: [blob(Docker2ForeignLayer, 'f', { urls: foreignUrls })],
      }),
    },
    {
      name: 'a Docker image with annotations schema 2 ignores',
      manifest: dockerImage('a', { annotations: { 'org.example': 'kept in the registry' } }),
    },
  ])('reports $name unchanged, with no bytes to push', ({ manifest }) => {
    expect(convertImage(manifest, source)).toEqual({
      ok: true,
      changed: false,
      sourceDigest: source,
      mediaType: Docker2Manifest,
    });
  });
});

describe('convertImage refusals', () => {
  const encryptedGzip = `${OCI1LayerGzip}${EncryptedSuffix}`;
  const layerCases: { name: string; layer: Descriptor; id: string }[] = [
    { name: 'an OCI zstd layer', layer: blob(OCI1LayerZstd, 'z'), id: 'zstd-layer' },
    { name: 'a Docker zstd layer', layer: blob(Docker2LayerZstd, 'z'), id: 'zstd-layer' },
    { name: 'a foreign zstd layer', layer: blob(OCI1ForeignLayerZstd, 'z'), id: 'zstd-layer' },
    { name: 'an encrypted gzip layer', layer: blob(encryptedGzip, 'e'), id: 'encrypted-layer' },
    {
      name: 'an encrypted zstd layer',
      layer: blob(`${OCI1LayerZstd}${EncryptedSuffix}`, 'e'),
      id: 'encrypted-layer',
    },
    {
      name: 'an uncompressed non-distributable layer',
      layer: blob(OCI1ForeignLayer, 'nd'),
      id: 'uncompressed-foreign-layer',
    },
    { name: 'an in-toto layer', layer: blob(InTotoLayer, 'i'), id: 'unknown-layer-type' },
    {
      name: 'a cosign signature layer',
      layer: blob(CosignSimpleSigningLayer, 's'),
      id: 'unknown-layer-type',
    },
    { name: 'a manifest used as a layer', layer: blob(OCI1Index, 'm'), id: 'unknown-layer-type' },
  ];

  it.each(layerCases)('refuses $name as $id, naming the layer', ({ layer, id }) => {
    const result = convertImage(ociImage([blob(OCI1LayerGzip, 'ok'), layer]), source);

    expect(result.ok).toBe(false);
    const reasons = result.ok ? [] : result.reasons;
    expect(reasons.map((r) => r.id)).toEqual([id]);
    expect(reasons[0]!.message).toContain(`layers[1] (${layer.digest})`);
    expect(reasons[0]!.message).toContain(layer.mediaType);
  });

  it('gives one reason per bad layer', () => {
    const layers = [
      blob(OCI1LayerZstd, 'z1'),
      blob(OCI1LayerGzip, 'ok'),
      blob(OCI1LayerZstd, 'z2'),
    ];

    const result = convertImage(ociImage(layers), source);

    expect(result).toMatchObject({
      ok: false,
      reasons: [{ id: 'zstd-layer' }, { id: 'zstd-layer' }],
    });
  });

  it('tells how to rebuild zstd images with gzip layers', () => {
    const result = convertImage(ociImage([blob(OCI1LayerZstd, 'z')]), source);

    expect(result.ok ? undefined : result.reasons[0]!.fix).toContain('compression=gzip');
  });

  const config = (mediaType: string) => ({ config: blob(mediaType, 'cfg') });
  it.each([
    {
      name: 'a manifest with artifactType',
      manifest: ociImage([blob(OCI1LayerGzip, 'a')], { artifactType: InTotoLayer }),
      id: 'artifact',
    },
    {
      name: 'an empty-config artifact',
      manifest: ociImage([], config(OCI1Empty)),
      id: 'non-image-config',
    },
    {
      name: 'a Helm chart',
      manifest: ociImage([blob(OCI1LayerGzip, 'chart')], config(HelmChartConfig)),
      id: 'non-image-config',
    },
    {
      name: 'a 1.1-rc artifact manifest',
      manifest: ociImage([], { mediaType: OCI1ArtifactManifestRC }),
      id: 'artifact',
    },
    {
      name: 'an image manifest served with an index type',
      manifest: ociImage([], { mediaType: OCI1Index }),
      id: 'unknown-manifest-type',
    },
  ])('refuses $name as $id, without layer noise', ({ manifest, id }) => {
    const result = convertImage({ ...manifest, layers: [blob(InTotoLayer, 'x')] }, source);

    expect(result).toMatchObject({ ok: false, reasons: [{ id }] });
    expect(result.ok ? [] : result.reasons).toHaveLength(1);
  });

  it('names the config digest and type when the config is not an image config', () => {
    const manifest = ociImage([], { config: blob(HelmChartConfig, 'helm') });

    const result = convertImage(manifest, source);

    const message = result.ok ? '' : result.reasons[0]!.message;
    expect(message).toContain(digestOf('helm'));
    expect(message).toContain(HelmChartConfig);
  });
});
