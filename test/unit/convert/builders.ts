/** Small builders for manifest models, so each test states only what it is about. */

import { createHash } from 'node:crypto';
import {
  Docker2Config,
  Docker2LayerGzip,
  Docker2Manifest,
  Docker2ManifestList,
  OCI1Config,
  OCI1Index,
  OCI1LayerGzip,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import type {
  Descriptor,
  ImageManifest,
  IndexManifest,
  Platform,
} from '../../../src/domain/model.js';
import {
  AttestationReferenceType,
  ReferenceDigestAnnotation,
  ReferenceTypeAnnotation,
} from '../../../src/domain/convert.js';

/** A stable, well-formed digest named after a label. */
export function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

export function blob(mediaType: string, label: string, extra: Partial<Descriptor> = {}) {
  return { mediaType, digest: digestOf(label), size: label.length * 1000, ...extra };
}

export function ociImage(
  layers: readonly Descriptor[] = [blob(OCI1LayerGzip, 'layer-a')],
  extra: Partial<ImageManifest> = {},
): ImageManifest {
  return {
    form: 'image',
    mediaType: OCI1Manifest,
    config: blob(OCI1Config, 'config'),
    layers,
    ...extra,
  };
}

export function dockerImage(label = 'docker', extra: Partial<ImageManifest> = {}): ImageManifest {
  return {
    form: 'image',
    mediaType: Docker2Manifest,
    config: blob(Docker2Config, `${label}-config`),
    layers: [blob(Docker2LayerGzip, `${label}-layer`)],
    ...extra,
  };
}

export const linuxAmd64: Platform = { architecture: 'amd64', os: 'linux' };
export const linuxArm64: Platform = { architecture: 'arm64', os: 'linux', variant: 'v8' };
export const windows: Platform = {
  architecture: 'amd64',
  os: 'windows',
  'os.version': '10.0.20348.2849',
  'os.features': ['win32k'],
};

/** An index entry for a child, named by the child's digest label. */
export function entry(
  label: string,
  platform: Platform | undefined,
  extra: Partial<Descriptor> = {},
): Descriptor {
  const base = blob(OCI1Manifest, label, extra);
  return platform === undefined ? base : { ...base, platform };
}

/** A BuildKit attestation entry describing the image with the given label. */
export function attestationEntry(label: string, describes: string): Descriptor {
  return entry(
    label,
    { architecture: 'unknown', os: 'unknown' },
    {
      annotations: {
        [ReferenceTypeAnnotation]: AttestationReferenceType,
        [ReferenceDigestAnnotation]: digestOf(describes),
      },
    },
  );
}

export function ociIndex(
  manifests: readonly Descriptor[],
  extra: Partial<IndexManifest> = {},
): IndexManifest {
  return { form: 'index', mediaType: OCI1Index, manifests, ...extra };
}

export function dockerList(
  manifests: readonly Descriptor[],
  extra: Partial<IndexManifest> = {},
): IndexManifest {
  return { form: 'index', mediaType: Docker2ManifestList, manifests, ...extra };
}

/** Parses what the converter wrote: a plain JSON object, for asserting on exact output. */
export function bodyOf(content: Uint8Array): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(content)) as Record<string, unknown>;
}
