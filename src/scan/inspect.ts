/**
 * Fetch a manifest and the children its verdict needs, then evaluate. Shared by the event
 * handler, the CLI and the registry scan.
 */
import type { ManifestBlob } from '../domain/model.js';
import { childrenToFetch, evaluate } from '../domain/verdict.js';
import type { Policy, Reason, Verdict } from '../domain/verdict-types.js';
import type { RegistryPort } from '../registry/port.js';
import { RegistryError } from '../registry/port.js';

export interface InspectOptions {
  readonly policy: Policy;
  readonly exemptRepositories: readonly string[];
}

export interface Inspection {
  readonly verdict: Verdict;
  readonly top?: ManifestBlob;
  readonly children: ReadonlyMap<string, ManifestBlob>;
}

/** Children are fetched a few at a time: an index rarely has more than a dozen. */
const childConcurrency = 4;

/**
 * Evaluates `tagOrDigest` in `repository`. A permanent registry failure becomes a verdict with
 * status `error`; a transient one is thrown so the caller can retry.
 */
export async function inspect(
  registry: RegistryPort,
  repository: string,
  tagOrDigest: string,
  tag: string | undefined,
  options: InspectOptions,
): Promise<Inspection> {
  let top: ManifestBlob;
  try {
    top = await registry.getManifest(repository, tagOrDigest);
  } catch (err) {
    if (err instanceof RegistryError && !err.transient) {
      return {
        verdict: errorVerdict(tagOrDigest, options.policy, fetchReason(err)),
        children: new Map(),
      };
    }
    throw err;
  }

  let wanted: string[] = [];
  try {
    wanted = childrenToFetch(top, options.policy);
  } catch {
    // evaluate() reports the malformed manifest with its reason.
  }
  const children = await fetchChildren(registry, repository, wanted);
  const verdict = evaluate({ repository, ...(tag ? { tag } : {}), top, children }, options);
  return { verdict, top, children };
}

async function fetchChildren(
  registry: RegistryPort,
  repository: string,
  digests: readonly string[],
): Promise<Map<string, ManifestBlob>> {
  const children = new Map<string, ManifestBlob>();
  const queue = [...new Set(digests)];
  const worker = async (): Promise<void> => {
    for (let digest = queue.shift(); digest !== undefined; digest = queue.shift()) {
      try {
        children.set(digest, await registry.getManifest(repository, digest));
      } catch (err) {
        // A child that is gone for good is reported by evaluate() as missing.
        if (!(err instanceof RegistryError) || err.transient) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(childConcurrency, queue.length) }, worker));
  return children;
}

function fetchReason(err: RegistryError): Reason {
  const id = err.status === 404 ? 'manifest-not-found' : 'manifest-unreadable';
  return { id, message: err.message };
}

export function errorVerdict(digest: string, policy: Policy, reason: Reason): Verdict {
  return {
    digest,
    mediaType: '',
    kind: 'unknown',
    status: 'error',
    reasons: [reason],
    policy,
    convertible: false,
    notConvertible: [reason],
  };
}
