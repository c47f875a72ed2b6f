/**
 * Conversion to Docker media types, for `REMEDIATION=retag` (DESIGN.md, Remediation).
 *
 * Pure and deterministic: the same parsed input always gives the same bytes and digest, so a
 * repeated retag is a no-op, and converting a converted manifest gives `changed: false`.
 *
 * How a caller uses the result:
 * - `ok: false`: not representable with Docker media types; record `reasons` and fall back to
 *   `RETAG_FALLBACK`.
 * - `ok: true, changed: false`: already Docker throughout; do nothing. No bytes are returned,
 *   because the registry's bytes under `sourceDigest` are already the answer.
 * - `ok: true, changed: true`: PUT each of `children` by digest, in order, then `manifest`
 *   with the tag; always with Content-Type equal to the item's `mediaType`.
 *
 * @module
 */

import type { Manifest } from './model.js';
import type { ConversionResult } from './convert-types.js';
import { convertImage } from './convert-image.js';
import { convertIndex } from './convert-index.js';
import { schema1 } from './convert-reasons.js';

export type {
  ConversionReasonId,
  ConversionResult,
  Converted,
  ConvertedManifest,
  Refused,
  Unchanged,
} from './convert-types.js';
export { convertImage, isArtifactManifest } from './convert-image.js';
export { convertIndex } from './convert-index.js';
export {
  AttestationReferenceType,
  ReferenceDigestAnnotation,
  ReferenceTypeAnnotation,
  isAttestationEntry,
} from './convert-attestation.js';
export { sha256Digest } from './convert-serialize.js';

/**
 * Converts any parsed manifest: images and indexes as above, schema 1 always refused.
 * `children` is only read for an index.
 */
export function convertManifest(
  manifest: Manifest,
  sourceDigest: string,
  children: ReadonlyMap<string, Manifest> = new Map(),
): ConversionResult {
  switch (manifest.form) {
    case 'image':
      return convertImage(manifest, sourceDigest);
    case 'index':
      return convertIndex(manifest, sourceDigest, children);
    case 'schema1':
      return { ok: false, reasons: [schema1(sourceDigest, manifest.mediaType)] };
  }
}
