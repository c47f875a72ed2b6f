/**
 * The reasons a verdict gives: a stable id ops can filter on, one sentence, and for every
 * noncompliant reason one line the user can act on at build time (DESIGN.md, Verdict).
 *
 * @module
 */

import { manifestErrorIds, type ManifestErrorId } from './manifest-error.js';
import type { Reason, Status } from './verdict-types.js';

export type PolicyReasonId =
  | 'oci-manifest'
  | 'oci-index'
  | 'oci-config'
  | 'oci-layer'
  | 'oci-child'
  | 'attestation-entries'
  | 'mixed-list'
  | 'docker-schema1'
  | 'zstd-layer'
  | 'encrypted-layer'
  | 'unknown-layer'
  | 'nested-index'
  | 'unknown-child'
  | 'child-media-type-mismatch'
  | 'unknown-media-type';

export type ExemptReasonId = 'exempt-repository' | 'artifact';

export type ErrorReasonId =
  ManifestErrorId | 'child-missing' | 'child-invalid' | 'evaluation-failed';

export type ReasonId = PolicyReasonId | ExemptReasonId | ErrorReasonId;

/** What a reason does to the status: noncompliant beats error, exempt beats both. */
export type Severity = Extract<Status, 'noncompliant' | 'exempt' | 'error'>;

interface ReasonSpec {
  readonly severity: Severity;
  readonly sentence: string;
  readonly fix?: string;
}

// One build line turns off every OCI type BuildKit writes, and the attestations with them.
const dockerBuild =
  'docker buildx build --provenance=false --sbom=false ' +
  '--output type=image,oci-mediatypes=false,push=true -t IMAGE .';
const desktopNote =
  "on Docker Desktop, also turn off 'Use containerd for pulling and storing images', " +
  'whose store pushes OCI indexes by default';
const skopeoCopy = 'skopeo copy --format v2s2 docker://IMAGE docker://IMAGE';
const gzipBuild =
  'docker buildx build --output type=image,compression=gzip,force-compression=true,' +
  'oci-mediatypes=false,push=true -t IMAGE .';

function noncompliant(sentence: string, fix: string): ReasonSpec {
  return { severity: 'noncompliant', sentence, fix };
}

const policyReasons: Readonly<Record<PolicyReasonId, ReasonSpec>> = {
  'oci-manifest': noncompliant(
    'the manifest is an OCI image manifest, not a Docker v2 manifest',
    `${dockerBuild} (or convert the pushed image: ${skopeoCopy})`,
  ),
  'oci-index': noncompliant(
    'the manifest is an OCI image index, not a Docker manifest list',
    `${dockerBuild}; ${desktopNote}`,
  ),
  'oci-config': noncompliant(
    'the image config uses the OCI media type, not the Docker one',
    `${dockerBuild} (or convert the pushed image: ${skopeoCopy})`,
  ),
  'oci-layer': noncompliant(
    'layers use OCI media types, not Docker ones',
    `${dockerBuild} (or convert the pushed image: ${skopeoCopy})`,
  ),
  'oci-child': noncompliant(
    'the list names platform manifests with OCI media types',
    `${dockerBuild}; ${desktopNote}`,
  ),
  'attestation-entries': noncompliant(
    'the index carries BuildKit attestation entries (platform unknown/unknown), ' +
      'which some pull paths refuse or try to run',
    'build with --provenance=false --sbom=false (or set BUILDX_NO_DEFAULT_ATTESTATIONS=1): ' +
      dockerBuild,
  ),
  'mixed-list': noncompliant(
    'the list mixes Docker and OCI media types',
    'build every platform in one run so the list is all Docker: ' +
      dockerBuild.replace('-t IMAGE', '--platform linux/amd64,linux/arm64 -t IMAGE'),
  ),
  'docker-schema1': noncompliant(
    'the manifest is Docker schema 1, deprecated and refused by current Docker and containerd',
    `rebuild and push with a current Docker, or convert it: ${skopeoCopy}`,
  ),
  'zstd-layer': noncompliant(
    'layers are zstd-compressed, which Docker engines before 23.0 cannot pull',
    gzipBuild,
  ),
  'encrypted-layer': noncompliant(
    'layers are encrypted (ocicrypt), which Docker engines cannot pull',
    'push the image unencrypted, or list the repository in EXEMPT_REPOSITORIES ' +
      'if encrypted images are intended there',
  ),
  'unknown-layer': noncompliant(
    'layers have a media type that is neither a Docker nor an OCI image layer type',
    `rebuild the image with a standard builder: ${dockerBuild}`,
  ),
  'nested-index': noncompliant(
    'the index lists another index, which a Docker manifest list cannot do',
    `push one list naming every platform image: ${dockerBuild}`,
  ),
  'unknown-child': noncompliant(
    'the list names an entry that is not an image manifest',
    `recreate the list from platform images only: ${dockerBuild}`,
  ),
  'child-media-type-mismatch': noncompliant(
    "a list entry's media type differs from the manifest the registry serves for it",
    `recreate the list: ${dockerBuild}`,
  ),
  'unknown-media-type': noncompliant(
    'the manifest media type is neither a Docker nor an OCI manifest type',
    dockerBuild,
  ),
};

const otherReasons: Readonly<Record<ExemptReasonId | ErrorReasonId, ReasonSpec>> = {
  'exempt-repository': {
    severity: 'exempt',
    sentence: 'the repository matches EXEMPT_REPOSITORIES',
  },
  artifact: {
    severity: 'exempt',
    sentence:
      'the manifest is an artifact, not an image; artifacts are exempt and never remediated',
  },
  'child-missing': {
    severity: 'error',
    sentence: 'a platform manifest the list names could not be fetched, so it was not checked',
  },
  'child-invalid': {
    severity: 'error',
    sentence: 'a platform manifest the list names is not a valid manifest',
  },
  'evaluation-failed': { severity: 'error', sentence: 'the manifest could not be evaluated' },
  ...Object.fromEntries(
    manifestErrorIds.map((id) => [id, { severity: 'error', sentence: 'the manifest is invalid' }]),
  ),
} as Record<ExemptReasonId | ErrorReasonId, ReasonSpec>;

const catalogue: Readonly<Record<ReasonId, ReasonSpec>> = { ...policyReasons, ...otherReasons };

/** Details longer than this are cut: reasons land in a 64 KiB table property. */
const maxDetailLength = 400;

/** The reason with this id; `detail` (what and where) follows the sentence after a colon. */
export function reason(id: ReasonId, detail?: string): Reason {
  const spec = catalogue[id];
  const shown =
    detail !== undefined && detail.length > maxDetailLength
      ? `${detail.slice(0, maxDetailLength)}...`
      : detail;
  const message = shown ? `${spec.sentence}: ${shown}` : spec.sentence;
  return spec.fix === undefined ? { id, message } : { id, message, fix: spec.fix };
}

/** The severity of a reason id this module knows; other ids (a converter's) have none. */
export function severityOf(id: string): Severity | undefined {
  return Object.hasOwn(catalogue, id) ? catalogue[id as ReasonId].severity : undefined;
}

export function isReasonId(id: string): id is ReasonId {
  return Object.hasOwn(catalogue, id);
}

/** Every reason id, for documentation and tests. */
export const reasonIds: readonly ReasonId[] = Object.keys(catalogue) as ReasonId[];
