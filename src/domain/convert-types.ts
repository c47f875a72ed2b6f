/**
 * Shapes returned by the conversion to Docker media types (DESIGN.md, Remediation, `retag`).
 * Kept apart from the conversion code so the use cases can name them without pulling it in.
 */

import type { Descriptor } from './model.js';
import type { Reason } from './verdict-types.js';

/** A manifest ready to PUT: `content` is sent as is, with Content-Type equal to `mediaType`. */
export interface ConvertedManifest {
  /** `sha256:<hex>` over exactly `content`. */
  readonly digest: string;
  /** Docker2Manifest or Docker2ManifestList. */
  readonly mediaType: string;
  readonly content: Uint8Array;
  /** Digest of the manifest it was converted from. */
  readonly sourceDigest: string;
}

/** The input needed changes: push `children` first (by digest), then `manifest` with the tag. */
export interface Converted {
  readonly ok: true;
  readonly changed: true;
  readonly manifest: ConvertedManifest;
  /** Converted children to push first, by digest, in index order, each once (index only). */
  readonly children: readonly ConvertedManifest[];
  /** Attestation and artifact entries dropped from the index, for the record. */
  readonly dropped: readonly Descriptor[];
}

/**
 * The input already uses Docker media types throughout, so there is nothing to push. No bytes
 * are returned: re-serializing a Docker manifest would give another digest than the one the
 * tag points to, and the caller's only correct move is to leave it alone.
 */
export interface Unchanged {
  readonly ok: true;
  readonly changed: false;
  readonly sourceDigest: string;
  /** The input's own media type, normalized. */
  readonly mediaType: string;
}

/** The input cannot be represented with Docker media types; `reasons` say why. */
export interface Refused {
  readonly ok: false;
  readonly reasons: readonly Reason[];
}

export type ConversionResult = Converted | Unchanged | Refused;

/** Stable ids of the reasons a conversion is refused. */
export type ConversionReasonId =
  | 'zstd-layer'
  | 'encrypted-layer'
  | 'unknown-layer-type'
  | 'uncompressed-foreign-layer'
  | 'artifact'
  | 'non-image-config'
  | 'schema1'
  | 'unknown-manifest-type'
  | 'nested-index'
  | 'child-missing'
  | 'missing-platform'
  | 'no-platform-children';
