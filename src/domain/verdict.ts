/**
 * The verdict on one pushed manifest (DESIGN.md, Verdict): parse, classify, apply the policy,
 * and say whether it can be converted to Docker media types. `evaluate` never throws: bad
 * input becomes a verdict with status `error` and the reason why.
 *
 * @module
 */

import { normalizeMediaType } from './media-types.js';
import type { IndexManifest, Manifest, ManifestBlob } from './model.js';
import type { Policy, Reason, Status, Verdict } from './verdict-types.js';
import { classify, isAttestationEntry, type Classification } from './classify.js';
import { isArtifact } from './artifacts.js';
import { isImageMediaType, parseManifest } from './manifest.js';
import { ManifestError } from './manifest-error.js';
import { isExemptRepository, strictReasons, topLevelReasons, type ChildOutcome } from './policy.js';
import { reason, severityOf } from './fixes.js';
import { convertManifest } from './convert.js';

export { matchesGlob, isExemptRepository } from './policy.js';
export { classify, imageDetails, indexDetails, kindOf, layerInfo } from './classify.js';
export { artifactKind, isArtifact } from './artifacts.js';
export { ManifestError, parseManifest } from './manifest.js';

export interface EvaluateInput {
  readonly repository: string;
  readonly tag?: string;
  readonly top: ManifestBlob;
  /** child manifests by digest, as fetched; a missing child gives a 'child-missing' reason */
  readonly children: ReadonlyMap<string, ManifestBlob>;
}

export interface EvaluateOptions {
  readonly policy: Policy;
  readonly exemptRepositories: readonly string[];
}

export function evaluate(input: EvaluateInput, options: EvaluateOptions): Verdict {
  try {
    return evaluateManifest(input, options);
  } catch (err) {
    // A bug must not cost Event Grid retries for a day: record it like a bad manifest.
    const message = err instanceof Error ? err.message : String(err);
    return failedVerdict(input, options, reason('evaluation-failed', message));
  }
}

/**
 * Digests of the children that `evaluate` needs fetched for this policy (strict: every
 * non-attestation child of an index; top-level: none). Throws ManifestError on bad input.
 */
export function childrenToFetch(top: ManifestBlob, policy: Policy): string[] {
  if (policy === 'top-level') return [];
  const manifest = parseManifest(top);
  return manifest.form === 'index' && !isArtifact(manifest) ? platformChildren(manifest) : [];
}

/**
 * The entries that name platform images: not attestations, not artifacts (`artifactType`),
 * and of an image manifest type, so fetching them as manifests makes sense. Each digest once.
 */
export function platformChildren(index: IndexManifest): string[] {
  const digests = index.manifests
    .filter((e) => !isAttestationEntry(e) && e.artifactType === undefined)
    .filter((e) => isImageMediaType(e.mediaType))
    .map((e) => e.digest);
  return [...new Set(digests)];
}

function evaluateManifest(input: EvaluateInput, options: EvaluateOptions): Verdict {
  const exempt = isExemptRepository(input.repository, options.exemptRepositories);
  let manifest: Manifest;
  try {
    manifest = parseManifest(input.top);
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return invalidVerdict(input, options, err, exempt);
  }

  const classification = classify(manifest, input.tag);
  const children = childOutcomes(manifest, input.children);
  const lookup = (digest: string): ChildOutcome => children.get(digest) ?? { state: 'missing' };
  const reasons = exempt
    ? [reason('exempt-repository', input.repository), ...artifactReasons(classification)]
    : policyReasons(classification, lookup, options.policy);
  const notConvertible = convertibility(classification, input.top.digest, children);

  return {
    digest: input.top.digest,
    mediaType: manifest.mediaType,
    kind: classification.kind,
    ...(classification.artifact !== undefined ? { artifact: classification.artifact } : {}),
    status: statusOf(reasons, exempt || classification.artifact !== undefined),
    reasons,
    policy: options.policy,
    convertible: notConvertible.length === 0,
    notConvertible,
    ...(classification.image !== undefined ? { image: classification.image } : {}),
    ...(classification.index !== undefined ? { index: classification.index } : {}),
  };
}

function policyReasons(
  classification: Classification,
  children: (digest: string) => ChildOutcome,
  policy: Policy,
): Reason[] {
  // Artifacts are exempt under either policy (DESIGN.md, Verdict).
  if (classification.artifact !== undefined) return artifactReasons(classification);
  return policy === 'strict'
    ? strictReasons(classification, children)
    : topLevelReasons(classification);
}

function artifactReasons(classification: Classification): Reason[] {
  const artifact = classification.artifact;
  return artifact === undefined ? [] : [reason('artifact', artifact)];
}

/** Noncompliant beats error (a known problem stays known); exempt beats both. */
function statusOf(reasons: readonly Reason[], exempt: boolean): Status {
  if (exempt) return 'exempt';
  const severities = new Set(reasons.map((r) => severityOf(r.id)));
  if (severities.has('noncompliant')) return 'noncompliant';
  if (severities.has('error')) return 'error';
  return 'compliant';
}

/** Parses every fetched child the index names, checking it is what the index says. */
function childOutcomes(
  manifest: Manifest,
  fetched: ReadonlyMap<string, ManifestBlob>,
): Map<string, ChildOutcome> {
  const outcomes = new Map<string, ChildOutcome>();
  if (manifest.form !== 'index') return outcomes;
  for (const entry of manifest.manifests) {
    const blob = fetched.get(entry.digest);
    if (blob === undefined || outcomes.has(entry.digest)) continue;
    outcomes.set(entry.digest, childOutcome(entry.digest, entry.size, blob));
  }
  return outcomes;
}

function childOutcome(digest: string, size: number, blob: ManifestBlob): ChildOutcome {
  if (blob.digest !== digest) {
    return { state: 'invalid', error: `fetched as ${digest}, but the blob is ${blob.digest}` };
  }
  // A wrong size in the list makes clients refuse the child: the list is broken.
  if (blob.content.byteLength !== size) {
    const error = `listed with size ${size}, served ${blob.content.byteLength} bytes`;
    return { state: 'invalid', error };
  }
  try {
    return { state: 'parsed', manifest: parseManifest(blob) };
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    return { state: 'invalid', error: err };
  }
}

/**
 * Why it cannot be converted: artifacts never are (they are not remediated); everything else
 * is whatever the converter refuses, so the verdict and a retag always agree.
 */
function convertibility(
  classification: Classification,
  digest: string,
  outcomes: ReadonlyMap<string, ChildOutcome>,
): readonly Reason[] {
  if (classification.artifact !== undefined) return artifactReasons(classification);
  const parsed = new Map<string, Manifest>();
  for (const [childDigest, outcome] of outcomes) {
    if (outcome.state === 'parsed') parsed.set(childDigest, outcome.manifest);
  }
  const result = convertManifest(classification.manifest, digest, parsed);
  return result.ok ? [] : result.reasons;
}

function invalidVerdict(
  input: EvaluateInput,
  options: EvaluateOptions,
  err: ManifestError,
  exempt: boolean,
): Verdict {
  // An unknown manifest type is content, not a fault: it is simply not Docker.
  const unknownType = err.reason === 'manifest-unsupported-media-type';
  const problem = reason(unknownType ? 'unknown-media-type' : err.reason, err.message);
  const reasons = exempt ? [reason('exempt-repository', input.repository), problem] : [problem];
  return {
    ...failedVerdict(input, options, problem),
    status: statusOf(reasons, exempt),
    reasons,
  };
}

function failedVerdict(input: EvaluateInput, options: EvaluateOptions, problem: Reason): Verdict {
  const served = typeof input.top?.mediaType === 'string' ? input.top.mediaType : '';
  return {
    digest: typeof input.top?.digest === 'string' ? input.top.digest : '',
    mediaType: normalizeMediaType(served).slice(0, 255),
    kind: 'unknown',
    status: 'error',
    reasons: [problem],
    policy: options.policy,
    convertible: false,
    notConvertible: [problem],
  };
}
