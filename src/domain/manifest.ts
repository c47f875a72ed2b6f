/**
 * Parses the bytes a registry served into the manifest model, trusting nothing: size, nesting,
 * digest, JSON, media type and every field are checked, and any problem is a ManifestError
 * with a stable reason and the field path.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import {
  Docker1Manifest,
  Docker1ManifestSigned,
  Docker2Manifest,
  Docker2ManifestList,
  GenericContentTypes,
  OCI1ArtifactManifestRC,
  OCI1Empty,
  OCI1Index,
  OCI1Manifest,
  normalizeMediaType,
} from './media-types.js';
import type {
  Descriptor,
  ImageManifest,
  IndexManifest,
  Manifest,
  ManifestBlob,
  Schema1Manifest,
} from './model.js';
import { ManifestError, describeValue } from './manifest-error.js';
import { FieldReader, isDigestString, maxDescriptors, type Json } from './manifest-fields.js';

export { ManifestError, isManifestError, type ManifestErrorId } from './manifest-error.js';
export { maxDescriptors } from './manifest-fields.js';

/** ACR, distribution and the Azure SDK all refuse manifests over 4 MiB. */
export const maxManifestBytes = 4 * 1024 * 1024;
/**
 * Real manifests nest five levels deep (index, manifests[], platform, os.features[]). A body
 * nested deeper than this is crafted, and would only make a later JSON.stringify overflow.
 */
export const maxNestingDepth = 32;

/**
 * OCI 1.1's descriptor for "no config": the two bytes `{}`. The 1.1-rc artifact manifest has
 * no config, so it is modelled with this one, as the released spec says artifacts should be.
 */
export const emptyConfigDescriptor: Descriptor = {
  mediaType: OCI1Empty,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

const imageTypes: ReadonlySet<string> = new Set([Docker2Manifest, OCI1Manifest]);
const indexTypes: ReadonlySet<string> = new Set([Docker2ManifestList, OCI1Index]);
const schema1Types: ReadonlySet<string> = new Set([Docker1Manifest, Docker1ManifestSigned]);
const genericTypes: ReadonlySet<string> = new Set(GenericContentTypes);

/** Docker v2 or OCI image manifest (media type compared normalized). */
export function isImageMediaType(mediaType: string | undefined): boolean {
  return imageTypes.has(normalizeMediaType(mediaType));
}

/** Docker manifest list or OCI image index. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return indexTypes.has(normalizeMediaType(mediaType));
}

export function isSchema1MediaType(mediaType: string | undefined): boolean {
  return schema1Types.has(normalizeMediaType(mediaType));
}

/** Any manifest type this app parses, the 1.1-rc artifact manifest included. */
export function isManifestMediaType(mediaType: string | undefined): boolean {
  const type = normalizeMediaType(mediaType);
  return (
    imageTypes.has(type) ||
    indexTypes.has(type) ||
    schema1Types.has(type) ||
    type === OCI1ArtifactManifestRC
  );
}

/**
 * Parses a manifest as served. The type comes from the registry's Content-Type, since the
 * body's `mediaType` is optional in OCI; a body that names another type is refused, as
 * distribution refuses it on push. With no usable Content-Type, the body's `mediaType`, then
 * its shape, decide.
 */
export function parseManifest(blob: ManifestBlob): Manifest {
  const digest = checkedDigest(blob.digest);
  checkContent(blob.content, digest);
  const body = decodeBody(blob.content, digest);
  const reader = new FieldReader(digest);
  const mediaType = resolveMediaType(blob.mediaType, body, reader);

  if (imageTypes.has(mediaType)) return parseImage(mediaType, body, reader);
  if (indexTypes.has(mediaType)) return parseIndex(mediaType, body, reader);
  if (schema1Types.has(mediaType)) return parseSchema1(mediaType, body, reader);
  return parseArtifactRC(mediaType, body, reader);
}

function checkedDigest(digest: unknown): string {
  if (typeof digest !== 'string' || !isDigestString(digest)) {
    const got = describeValue(digest);
    const message = `manifest digest: expected sha256:<64 hex> or sha512:<128 hex>, got ${got}`;
    throw new ManifestError('manifest-invalid-digest', message);
  }
  return digest;
}

function checkContent(content: Uint8Array, digest: string): void {
  if (!(content instanceof Uint8Array)) {
    const message = `manifest ${digest}: content: expected bytes, got ${describeValue(content)}`;
    throw new ManifestError('manifest-invalid-json', message);
  }
  if (content.byteLength > maxManifestBytes) {
    const message =
      `manifest ${digest}: ${content.byteLength} bytes, expected at most ${maxManifestBytes} ` +
      '(4 MiB, the registry limit)';
    throw new ManifestError('manifest-too-large', message);
  }

  // The digest is what the verdict is recorded under: it must be the digest of these bytes.
  const [algorithm] = digest.split(':');
  const actual = `${algorithm}:${createHash(algorithm!).update(content).digest('hex')}`;
  if (actual !== digest) {
    const message = `manifest ${digest}: content hashes to ${actual}, expected the digest it has`;
    throw new ManifestError('manifest-digest-mismatch', message);
  }
}

function decodeBody(content: Uint8Array, digest: string): Json {
  checkDepth(content, digest);

  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(content));
  } catch (err) {
    const message = `manifest ${digest}: expected UTF-8 JSON, got ${(err as Error).message}`;
    throw new ManifestError('manifest-invalid-json', message, undefined, { cause: err });
  }

  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const message = `manifest ${digest}: expected a JSON object, got ${describeValue(value)}`;
    throw new ManifestError('manifest-not-object', message);
  }
  return value as Json;
}

/** Counts brackets outside strings; UTF-8 continuation bytes never look like ASCII. */
function checkDepth(content: Uint8Array, digest: string): void {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const byte of content) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > maxNestingDepth) {
        const message = `manifest ${digest}: JSON nested deeper than ${maxNestingDepth} levels`;
        throw new ManifestError('manifest-too-deep', message);
      }
    } else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
    }
  }
}

function resolveMediaType(header: string, body: Json, reader: FieldReader): string {
  const declared = normalizeMediaType(reader.optionalMediaType(body.mediaType, 'mediaType'));
  const served = normalizeMediaType(typeof header === 'string' ? header : undefined);

  if (served !== '' && !genericTypes.has(served)) {
    if (declared !== '' && declared !== served) {
      reader.fail(
        'manifest-media-type-mismatch',
        'mediaType',
        `the body says ${describeValue(declared)} but the Content-Type is ${describeValue(served)}`,
      );
    }
    return known(served, reader);
  }
  return known(declared !== '' ? declared : inferredMediaType(body, reader), reader);
}

function known(mediaType: string, reader: FieldReader): string {
  if (isManifestMediaType(mediaType)) return mediaType;
  return reader.fail(
    'manifest-unsupported-media-type',
    'mediaType',
    `expected a Docker or OCI manifest, list or index type, got ${describeValue(mediaType)}`,
  );
}

/** No usable Content-Type and no `mediaType` field: only OCI and schema 1 omit it. */
function inferredMediaType(body: Json, reader: FieldReader): string {
  if (body.schemaVersion === 1) {
    return body.signatures === undefined ? Docker1Manifest : Docker1ManifestSigned;
  }
  if (body.manifests !== undefined) return OCI1Index;
  if (body.config !== undefined || body.layers !== undefined) return OCI1Manifest;
  if (body.blobs !== undefined) return OCI1ArtifactManifestRC;
  return reader.fail(
    'manifest-unknown-media-type',
    'mediaType',
    'no Content-Type, no mediaType field, and no config, manifests or fsLayers to tell the type by',
  );
}

function checkSchemaVersion(body: Json, expected: number, reader: FieldReader): void {
  if (body.schemaVersion !== expected) {
    const got = describeValue(body.schemaVersion);
    reader.fail(
      'manifest-unsupported-schema-version',
      'schemaVersion',
      `expected ${expected}, got ${got}`,
    );
  }
}

type Extras = Pick<ImageManifest, 'artifactType' | 'subject' | 'annotations'>;

/** artifactType, subject and annotations: optional on images and indexes alike. */
function extras(body: Json, reader: FieldReader): Extras {
  const artifactType = reader.optionalMediaType(body.artifactType, 'artifactType');
  const subject =
    body.subject === undefined ? undefined : reader.descriptor(body.subject, 'subject');
  const annotations = reader.stringMap(body.annotations, 'annotations');
  return {
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(subject !== undefined ? { subject } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  };
}

function parseImage(mediaType: string, body: Json, reader: FieldReader): ImageManifest {
  checkSchemaVersion(body, 2, reader);
  const config = reader.descriptor(body.config, 'config');
  const layers = reader.descriptors(body.layers, 'layers');
  return { form: 'image', mediaType, config, layers, ...extras(body, reader) };
}

function parseIndex(mediaType: string, body: Json, reader: FieldReader): IndexManifest {
  checkSchemaVersion(body, 2, reader);
  const manifests = reader.descriptors(body.manifests, 'manifests');
  return { form: 'index', mediaType, manifests, ...extras(body, reader) };
}

/** The 1.1-rc artifact manifest: `blobs` instead of `layers`, no config, no schemaVersion. */
function parseArtifactRC(mediaType: string, body: Json, reader: FieldReader): ImageManifest {
  const layers = body.blobs === undefined ? [] : reader.descriptors(body.blobs, 'blobs');
  return {
    form: 'image',
    mediaType,
    config: emptyConfigDescriptor,
    layers,
    ...extras(body, reader),
  };
}

function parseSchema1(mediaType: string, body: Json, reader: FieldReader): Schema1Manifest {
  checkSchemaVersion(body, 1, reader);
  const name = reader.optionalString(body.name, 'name');
  const tag = reader.optionalString(body.tag, 'tag');
  const fsLayers = reader.array(body.fsLayers, 'fsLayers', maxDescriptors);
  fsLayers.forEach((layer, i) => {
    const path = `fsLayers[${i}]`;
    reader.digestField(reader.object(layer, path).blobSum, `${path}.blobSum`);
  });
  return {
    form: 'schema1',
    mediaType,
    ...(name !== undefined ? { name } : {}),
    ...(tag !== undefined ? { tag } : {}),
    layerCount: fsLayers.length,
  };
}
