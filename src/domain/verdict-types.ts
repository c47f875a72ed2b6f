/** The verdict shapes recorded for every manifest digest (see DESIGN.md, Verdict). */

export type Kind =
  | 'docker-manifest'
  | 'docker-list'
  | 'oci-manifest'
  | 'oci-index'
  | 'docker-schema1'
  | 'artifact'
  | 'unknown';

export type ArtifactKind =
  'signature' | 'sbom' | 'attestation' | 'helm-chart' | 'buildkit-cache' | 'other';

export type Status = 'compliant' | 'noncompliant' | 'exempt' | 'error';

export type Policy = 'strict' | 'top-level';

export type Compression = 'gzip' | 'uncompressed' | 'zstd' | 'unknown';

/** A reason: a short stable id ops can filter on, a sentence, and a build-time fix. */
export interface Reason {
  readonly id: string;
  readonly message: string;
  /** One line the user can act on at build time; noncompliant reasons only. */
  readonly fix?: string;
}

export interface ImageDetails {
  readonly configMediaType: string;
  readonly layerCount: number;
  readonly compression: readonly Compression[];
  readonly foreignLayers: boolean;
  readonly nondistributableLayers: boolean;
  readonly encryptedLayers: boolean;
}

export interface ChildSummary {
  readonly digest: string;
  readonly mediaType: string;
  /** `os/architecture[/variant]`, or `unknown/unknown` for attestation entries. */
  readonly platform?: string;
  readonly attestation: boolean;
}

export interface IndexDetails {
  readonly platforms: readonly string[];
  readonly attestations: number;
  readonly childMediaTypes: readonly string[];
  readonly mixed: boolean;
  readonly children: readonly ChildSummary[];
}

export interface Verdict {
  readonly digest: string;
  /** The registry's Content-Type for this manifest, normalized. */
  readonly mediaType: string;
  readonly kind: Kind;
  readonly artifact?: ArtifactKind;
  readonly status: Status;
  readonly reasons: readonly Reason[];
  readonly policy: Policy;
  readonly convertible: boolean;
  /** Why it cannot be converted to Docker media types, when it cannot. */
  readonly notConvertible: readonly Reason[];
  readonly image?: ImageDetails;
  readonly index?: IndexDetails;
}
