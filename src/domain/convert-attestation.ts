/**
 * How BuildKit marks attestation entries in an index (provenance, SBOM): see BuildKit's
 * docs/attestations/attestation-storage.md. Each one is an image-shaped manifest listed with
 * platform `unknown/unknown` and these annotations; the digest annotation names the image
 * it describes.
 */

import type { Descriptor } from './model.js';

export const ReferenceTypeAnnotation = 'vnd.docker.reference.type';
export const ReferenceDigestAnnotation = 'vnd.docker.reference.digest';
export const AttestationReferenceType = 'attestation-manifest';

/** True for a BuildKit attestation entry: `unknown/unknown` platform plus the annotation. */
export function isAttestationEntry(entry: Descriptor): boolean {
  const platform = entry.platform;
  return (
    platform !== undefined &&
    platform.os === 'unknown' &&
    platform.architecture === 'unknown' &&
    entry.annotations?.[ReferenceTypeAnnotation] === AttestationReferenceType
  );
}
