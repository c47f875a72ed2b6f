/**
 * What a parsed manifest is: its kind, and the image or index details a verdict records
 * (DESIGN.md, Verdict). Pure functions of the manifest model.
 *
 * @module
 */

import {
  Docker2ForeignLayer,
  Docker2Layer,
  Docker2LayerGzip,
  Docker2LayerZstd,
  Docker2Manifest,
  Docker2ManifestList,
  EncryptedSuffix,
  OCI1ForeignLayer,
  OCI1ForeignLayerGzip,
  OCI1ForeignLayerZstd,
  OCI1Index,
  OCI1Layer,
  OCI1LayerGzip,
  OCI1LayerZstd,
  OCI1Manifest,
  familyOf,
  normalizeMediaType,
  type Family,
} from './media-types.js';
import type { Descriptor, ImageManifest, IndexManifest, Manifest, Platform } from './model.js';
import type {
  ArtifactKind,
  ChildSummary,
  Compression,
  ImageDetails,
  IndexDetails,
  Kind,
} from './verdict-types.js';
import { isAttestationEntry } from './convert-attestation.js';
import { artifactKind } from './artifacts.js';

export { isAttestationEntry } from './convert-attestation.js';

/** What one layer media type says about its layer. */
export interface LayerInfo {
  readonly family: Family;
  readonly compression: Compression;
  /** Docker's foreign layer type. */
  readonly foreign: boolean;
  /** OCI's non-distributable layer types. */
  readonly nondistributable: boolean;
  /** ocicrypt's `+encrypted` suffix. */
  readonly encrypted: boolean;
  /** A Docker or OCI image layer type (after removing `+encrypted`). */
  readonly known: boolean;
}

type KnownLayer = Pick<LayerInfo, 'compression' | 'foreign' | 'nondistributable'>;

const knownLayers: ReadonlyMap<string, KnownLayer> = new Map([
  [Docker2Layer, layer('uncompressed')],
  [Docker2LayerGzip, layer('gzip')],
  [Docker2LayerZstd, layer('zstd')],
  [Docker2ForeignLayer, { ...layer('gzip'), foreign: true }],
  [OCI1Layer, layer('uncompressed')],
  [OCI1LayerGzip, layer('gzip')],
  [OCI1LayerZstd, layer('zstd')],
  [OCI1ForeignLayer, { ...layer('uncompressed'), nondistributable: true }],
  [OCI1ForeignLayerGzip, { ...layer('gzip'), nondistributable: true }],
  [OCI1ForeignLayerZstd, { ...layer('zstd'), nondistributable: true }],
]);

function layer(compression: Compression): KnownLayer {
  return { compression, foreign: false, nondistributable: false };
}

export function layerInfo(mediaType: string): LayerInfo {
  const type = normalizeMediaType(mediaType);
  const encrypted = type.endsWith(EncryptedSuffix);
  const plain = encrypted ? type.slice(0, -EncryptedSuffix.length) : type;
  const found = knownLayers.get(plain);
  const family = familyOf(plain);
  if (found === undefined) {
    return {
      family,
      compression: 'unknown',
      foreign: false,
      nondistributable: false,
      encrypted,
      known: false,
    };
  }
  return { family, ...found, encrypted, known: true };
}

/** A parsed manifest with what the verdict says about it. */
export interface Classification {
  readonly manifest: Manifest;
  readonly kind: Kind;
  readonly artifact?: ArtifactKind;
  readonly image?: ImageDetails;
  readonly index?: IndexDetails;
}

/** Classifies a parsed manifest; `tag` matters for cosign's `sha256-<hex>.sig` style tags. */
export function classify(manifest: Manifest, tag?: string): Classification {
  const artifact = artifactKind(manifest, tag);
  const kind = kindOf(manifest, artifact);
  if (manifest.form === 'image') {
    const image = imageDetails(manifest);
    return artifact === undefined ? { manifest, kind, image } : { manifest, kind, artifact, image };
  }
  if (manifest.form === 'index') {
    const index = indexDetails(manifest);
    return artifact === undefined ? { manifest, kind, index } : { manifest, kind, artifact, index };
  }
  return { manifest, kind };
}

export function kindOf(manifest: Manifest, artifact: ArtifactKind | undefined): Kind {
  if (manifest.form === 'schema1') return 'docker-schema1';
  if (artifact !== undefined) return 'artifact';
  switch (normalizeMediaType(manifest.mediaType)) {
    case Docker2Manifest:
      return 'docker-manifest';
    case OCI1Manifest:
      return 'oci-manifest';
    case Docker2ManifestList:
      return 'docker-list';
    case OCI1Index:
      return 'oci-index';
    default:
      return 'unknown';
  }
}

export function imageDetails(manifest: ImageManifest): ImageDetails {
  const layers = manifest.layers.map((l) => layerInfo(l.mediaType));
  return {
    configMediaType: normalizeMediaType(manifest.config.mediaType),
    layerCount: layers.length,
    compression: distinct(layers.map((l) => l.compression)),
    foreignLayers: layers.some((l) => l.foreign),
    nondistributableLayers: layers.some((l) => l.nondistributable),
    encryptedLayers: layers.some((l) => l.encrypted),
  };
}

export function indexDetails(manifest: IndexManifest): IndexDetails {
  const children = manifest.manifests.map(childSummary);
  const platforms = children.flatMap((c) => (!c.attestation && c.platform ? [c.platform] : []));
  const childMediaTypes = distinct(children.map((c) => c.mediaType));
  return {
    platforms: distinct(platforms),
    attestations: children.filter((c) => c.attestation).length,
    childMediaTypes,
    mixed: isMixed([manifest.mediaType, ...childMediaTypes]),
    children,
  };
}

/** True when both Docker and OCI media types occur among these. */
export function isMixed(mediaTypes: readonly string[]): boolean {
  const families = new Set(mediaTypes.map(familyOf));
  return families.has('docker') && families.has('oci');
}

/** `os/architecture[/variant]`, as `docker buildx imagetools inspect` prints it. */
export function platformString(platform: Platform | undefined): string | undefined {
  if (platform === undefined) return undefined;
  const base = `${platform.os}/${platform.architecture}`;
  return platform.variant ? `${base}/${platform.variant}` : base;
}

function childSummary(entry: Descriptor): ChildSummary {
  const platform = platformString(entry.platform);
  return {
    digest: entry.digest,
    mediaType: normalizeMediaType(entry.mediaType),
    ...(platform !== undefined ? { platform } : {}),
    attestation: isAttestationEntry(entry),
  };
}

function distinct<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
