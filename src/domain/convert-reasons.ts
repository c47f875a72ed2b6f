/**
 * Why a manifest cannot be converted to Docker media types. Each reason names the manifest
 * part (layer index and digest, config, child entry) so ops can find it without re-fetching.
 */

import type { Descriptor } from './model.js';
import type { Reason } from './verdict-types.js';
import type { ConversionReasonId } from './convert-types.js';

const gzipBuild =
  'docker buildx build --output type=image,compression=gzip,force-compression=true,' +
  'oci-mediatypes=false,push=true ...';

function reason(id: ConversionReasonId, message: string, fix?: string): Reason {
  return fix === undefined ? { id, message } : { id, message, fix };
}

function layerName(layer: Descriptor, position: number): string {
  return `layers[${position}] (${layer.digest}) has media type '${layer.mediaType}'`;
}

export function zstdLayer(layer: Descriptor, position: number): Reason {
  const message = `${layerName(layer, position)}: Docker schema 2 clients only pull gzip or tar`;
  return reason('zstd-layer', message, gzipBuild);
}

export function encryptedLayer(layer: Descriptor, position: number): Reason {
  const message = `${layerName(layer, position)}: Docker schema 2 has no encrypted layer type`;
  return reason('encrypted-layer', message);
}

export function uncompressedForeignLayer(layer: Descriptor, position: number): Reason {
  const message =
    `${layerName(layer, position)}: Docker's only foreign layer type is gzip-compressed, ` +
    'and changing the type would not match the blob';
  return reason('uncompressed-foreign-layer', message);
}

export function unknownLayerType(layer: Descriptor, position: number): Reason {
  const message = `${layerName(layer, position)}: expected an OCI or Docker tar/tar+gzip layer`;
  return reason('unknown-layer-type', message);
}

export function artifactType(artifact: string): Reason {
  const message = `manifest has artifactType '${artifact}': artifacts are not images`;
  return reason('artifact', message);
}

export function artifactManifest(mediaType: string): Reason {
  return reason('artifact', `manifest media type '${mediaType}' is an OCI artifact manifest`);
}

export function nonImageConfig(config: Descriptor): Reason {
  const message =
    `config ${config.digest} has media type '${config.mediaType}': expected an OCI or ` +
    'Docker image config, so this is an artifact, not an image';
  return reason('non-image-config', message);
}

export function unknownManifestType(mediaType: string, expected: string): Reason {
  const message = `manifest media type '${mediaType}' is not convertible: expected ${expected}`;
  return reason('unknown-manifest-type', message);
}

export function schema1(digest: string, mediaType: string): Reason {
  const message = `manifest ${digest} is deprecated Docker schema 1 ('${mediaType}')`;
  return reason('schema1', message, 'rebuild and push with a current Docker or buildx');
}

export function nestedIndex(entry: Descriptor): Reason {
  const message =
    `index entry ${entry.digest} is itself an index ('${entry.mediaType}'): ` +
    'a Docker manifest list can only list image manifests';
  return reason('nested-index', message, 'push one index listing every platform image');
}

export function childMissing(entry: Descriptor): Reason {
  const message = `index entry ${entry.digest} was not fetched, so it cannot be converted`;
  return reason('child-missing', message);
}

export function missingPlatform(entry: Descriptor): Reason {
  const message =
    `index entry ${entry.digest} has no platform: a Docker manifest list entry requires one, ` +
    'and inventing it could send clients the wrong image';
  return reason('missing-platform', message, 'docker buildx build --platform <os/arch> ...');
}

export function noPlatformChildren(): Reason {
  const message = 'index lists no platform images once attestations and artifacts are dropped';
  return reason('no-platform-children', message);
}

/** A child's reason, as the index reports it: same id, the child named first. */
export function inChild(entry: Descriptor, child: Reason): Reason {
  return { ...child, message: `index entry ${entry.digest}: ${child.message}` };
}
