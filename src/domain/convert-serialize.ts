/**
 * Deterministic Docker schema 2 bytes. Objects are built field by field in the order the
 * Docker image manifest v2 schema 2 spec lists them, then written as compact JSON, so the same
 * model always gives the same bytes and therefore the same digest (a repeated retag is a no-op).
 */

import { createHash } from 'node:crypto';
import { Docker2Manifest, Docker2ManifestList } from './media-types.js';
import type { Descriptor, Platform } from './model.js';
import type { ConvertedManifest } from './convert-types.js';

/** A descriptor as schema 2 carries it: no annotations, artifactType or data. */
export interface Docker2Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
}

/** A manifest list entry: schema 2 requires `platform` on every one. */
export interface Docker2ListEntry {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform: Platform;
}

export function serializeManifest(
  config: Docker2Descriptor,
  layers: readonly Docker2Descriptor[],
  sourceDigest: string,
): ConvertedManifest {
  const body = {
    schemaVersion: 2,
    mediaType: Docker2Manifest,
    config: descriptorJson(config),
    layers: layers.map(descriptorJson),
  };
  return seal(body, Docker2Manifest, sourceDigest);
}

export function serializeList(
  entries: readonly Docker2ListEntry[],
  sourceDigest: string,
): ConvertedManifest {
  const manifests = entries.map((entry) => ({
    mediaType: entry.mediaType,
    size: entry.size,
    digest: entry.digest,
    platform: platformJson(entry.platform),
  }));
  const body = { schemaVersion: 2, mediaType: Docker2ManifestList, manifests };
  return seal(body, Docker2ManifestList, sourceDigest);
}

/** Keeps only what a schema 2 descriptor holds; `urls` only when there are some. */
export function toDocker2Descriptor(descriptor: Descriptor, mediaType: string): Docker2Descriptor {
  const base = { mediaType, digest: descriptor.digest, size: descriptor.size };
  const urls = descriptor.urls;
  return urls !== undefined && urls.length > 0 ? { ...base, urls: [...urls] } : base;
}

function descriptorJson(descriptor: Docker2Descriptor): Record<string, unknown> {
  const json: Record<string, unknown> = {
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    digest: descriptor.digest,
  };
  if (descriptor.urls !== undefined) json['urls'] = [...descriptor.urls];
  return json;
}

/** Copies the platform as given, in a fixed key order; never adds a field it did not have. */
function platformJson(platform: Platform): Record<string, unknown> {
  const json: Record<string, unknown> = {
    architecture: platform.architecture,
    os: platform.os,
  };
  if (platform['os.version'] !== undefined) json['os.version'] = platform['os.version'];
  if (platform['os.features'] !== undefined) json['os.features'] = [...platform['os.features']];
  if (platform.variant !== undefined) json['variant'] = platform.variant;
  return json;
}

function seal(body: object, mediaType: string, sourceDigest: string): ConvertedManifest {
  const content = new TextEncoder().encode(JSON.stringify(body));
  return { digest: sha256Digest(content), mediaType, content, sourceDigest };
}

/** `sha256:<hex>` of the exact bytes, as registries compute Docker-Content-Digest. */
export function sha256Digest(content: Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}
