/**
 * OCI image manifest -> Docker image manifest v2 schema 2 (DESIGN.md, Remediation, `retag`).
 * Only media types change: config and layer blobs keep their digests and sizes, so a
 * same-repository conversion needs no blob copies, only a manifest PUT.
 */

import {
  Docker2Config,
  Docker2ForeignLayer,
  Docker2Layer,
  Docker2LayerGzip,
  Docker2LayerZstd,
  Docker2Manifest,
  EncryptedSuffix,
  OCI1ArtifactManifestRC,
  OCI1Config,
  OCI1ForeignLayer,
  OCI1ForeignLayerGzip,
  OCI1ForeignLayerZstd,
  OCI1Layer,
  OCI1LayerGzip,
  OCI1LayerZstd,
  OCI1Manifest,
  normalizeMediaType,
} from './media-types.js';
import type { Descriptor, ImageManifest } from './model.js';
import type { Reason } from './verdict-types.js';
import type { ConversionResult } from './convert-types.js';
import * as why from './convert-reasons.js';
import {
  serializeManifest,
  toDocker2Descriptor,
  type Docker2Descriptor,
} from './convert-serialize.js';

/** Layer types schema 2 can carry, each with the Docker type it becomes. */
const dockerLayerTypes: ReadonlyMap<string, string> = new Map([
  [OCI1Layer, Docker2Layer],
  [OCI1LayerGzip, Docker2LayerGzip],
  // Per the OCI image spec, non-distributable layers are Docker's foreign layers.
  [OCI1ForeignLayerGzip, Docker2ForeignLayer],
  [Docker2Layer, Docker2Layer],
  [Docker2LayerGzip, Docker2LayerGzip],
  [Docker2ForeignLayer, Docker2ForeignLayer],
]);

/** Docker's zstd type exists, but engines before 23.0 cannot pull it, so it is refused too. */
const zstdLayerTypes: ReadonlySet<string> = new Set([
  OCI1LayerZstd,
  OCI1ForeignLayerZstd,
  Docker2LayerZstd,
]);

const imageConfigTypes: ReadonlySet<string> = new Set([OCI1Config, Docker2Config]);

type LayerOutcome =
  | { readonly ok: true; readonly descriptor: Docker2Descriptor }
  | { readonly ok: false; readonly reason: Reason };

/**
 * True when the manifest is an artifact rather than a runnable image: it says so with
 * `artifactType`, uses the 1.1-rc artifact manifest type, or its config is not an image config
 * (OCI empty config, Helm, cosign and other artifact configs).
 */
export function isArtifactManifest(manifest: ImageManifest): boolean {
  return (
    manifest.artifactType !== undefined ||
    normalizeMediaType(manifest.mediaType) === OCI1ArtifactManifestRC ||
    !imageConfigTypes.has(normalizeMediaType(manifest.config.mediaType))
  );
}

/**
 * Converts an image manifest to Docker v2 schema 2. A manifest whose media types are all
 * Docker already gives `changed: false` (fields schema 2 ignores do not count as a change).
 */
export function convertImage(manifest: ImageManifest, sourceDigest: string): ConversionResult {
  const refused = manifestReasons(manifest);
  if (refused.length > 0) return { ok: false, reasons: refused };

  const reasons: Reason[] = [];
  const layers: Docker2Descriptor[] = [];
  manifest.layers.forEach((layer, position) => {
    const outcome = convertLayer(layer, position);
    if (outcome.ok) layers.push(outcome.descriptor);
    else reasons.push(outcome.reason);
  });
  if (reasons.length > 0) return { ok: false, reasons };

  if (isAllDocker(manifest)) {
    return { ok: true, changed: false, sourceDigest, mediaType: Docker2Manifest };
  }
  const { digest, size } = manifest.config;
  const converted = serializeManifest(
    { mediaType: Docker2Config, digest, size },
    layers,
    sourceDigest,
  );
  return { ok: true, changed: true, manifest: converted, children: [], dropped: [] };
}

/** Refusals that concern the whole manifest; layer checks would only add noise to these. */
function manifestReasons(manifest: ImageManifest): Reason[] {
  const type = normalizeMediaType(manifest.mediaType);
  if (type === OCI1ArtifactManifestRC) return [why.artifactManifest(type)];
  if (type !== OCI1Manifest && type !== Docker2Manifest) {
    return [why.unknownManifestType(type, `'${OCI1Manifest}' or '${Docker2Manifest}'`)];
  }

  const reasons: Reason[] = [];
  if (manifest.artifactType !== undefined) reasons.push(why.artifactType(manifest.artifactType));
  if (!imageConfigTypes.has(normalizeMediaType(manifest.config.mediaType))) {
    reasons.push(why.nonImageConfig(manifest.config));
  }
  return reasons;
}

function convertLayer(layer: Descriptor, position: number): LayerOutcome {
  const type = normalizeMediaType(layer.mediaType);
  const docker = dockerLayerTypes.get(type);
  if (docker !== undefined) return { ok: true, descriptor: toDocker2Descriptor(layer, docker) };
  return { ok: false, reason: layerRefusal(layer, type, position) };
}

function layerRefusal(layer: Descriptor, type: string, position: number): Reason {
  // Checked first: `tar+zstd+encrypted` is encrypted before it is zstd.
  if (type.endsWith(EncryptedSuffix)) return why.encryptedLayer(layer, position);
  if (zstdLayerTypes.has(type)) return why.zstdLayer(layer, position);
  if (type === OCI1ForeignLayer) return why.uncompressedForeignLayer(layer, position);
  return why.unknownLayerType(layer, position);
}

function isAllDocker(manifest: ImageManifest): boolean {
  const layerTypes = manifest.layers.map((layer) => normalizeMediaType(layer.mediaType));
  return (
    normalizeMediaType(manifest.mediaType) === Docker2Manifest &&
    normalizeMediaType(manifest.config.mediaType) === Docker2Config &&
    layerTypes.every((type) => dockerLayerTypes.get(type) === type)
  );
}
