/**
 * `mediatype-guard check REF...`: classify images by tag or digest, straight from the
 * registry, with no table. Exit 0 when all are compliant or exempt, 1 when any is not.
 */
import type { TokenCredential } from '@azure/identity';
import { loadConfig } from '../config.js';
import {
  parseReference,
  ReferenceError,
  tagOrDigest,
  type Reference,
} from '../domain/reference.js';
import type { Verdict } from '../domain/verdict-types.js';
import { AcrRegistry } from '../registry/acr.js';
import { DigestCache } from '../registry/digest-cache.js';
import { inspect } from '../scan/inspect.js';
import { oneOf, parseArgs, UsageError } from './args.js';
import { formatVerdict } from './format.js';
import type { CliIO } from './io.js';

export const checkUsage = `usage: mediatype-guard check IMAGE_REF... [--json]
    [--policy strict|top-level]
  IMAGE_REF is REGISTRY/REPOSITORY[:TAG][@DIGEST], e.g. myreg.azurecr.io/team/app:1.4`;

export async function check(
  argv: readonly string[],
  io: CliIO,
  credential: TokenCredential,
): Promise<number> {
  const parsed = parseArgs(argv, { json: {}, policy: { value: true } });
  if (parsed.positional.length === 0)
    throw new UsageError('check needs at least one image reference');
  const refs = parsed.positional.map(parseRef);
  const config = loadConfig(io.env, { registries: false });
  const policy = oneOf(parsed, 'policy', ['strict', 'top-level'] as const, config.policy);
  const options = { policy, exemptRepositories: config.exemptRepositories };

  const cache = new DigestCache();
  const registries = new Map<string, AcrRegistry>();
  const results: { ref: Reference; verdict: Verdict }[] = [];
  for (const ref of refs) {
    let registry = registries.get(ref.registry);
    if (!registry) {
      registry = new AcrRegistry({ registry: ref.registry, credential, cache });
      registries.set(ref.registry, registry);
    }
    const { verdict } = await inspect(registry, ref.repository, tagOrDigest(ref), ref.tag, options);
    results.push({ ref, verdict });
  }

  if (parsed.flags.has('json')) {
    io.out(
      JSON.stringify(
        results.map(({ ref, verdict }) => ({ reference: ref, ...verdict })),
        null,
        2,
      ),
    );
  } else {
    io.out(results.map(({ ref, verdict }) => formatVerdict(ref, verdict)).join('\n\n'));
  }
  return exitCode(results.map((r) => r.verdict));
}

/** 0: all fine; 1: any noncompliant or unreadable manifest; 2: not found or no access. */
function exitCode(verdicts: readonly Verdict[]): number {
  const access = verdicts.some((v) =>
    v.reasons.some((r) => r.id === 'manifest-not-found' || r.id === 'manifest-unreadable'),
  );
  if (access) return 2;
  return verdicts.every((v) => v.status === 'compliant' || v.status === 'exempt') ? 0 : 1;
}

export function parseRef(text: string): Reference {
  try {
    return parseReference(text);
  } catch (err) {
    if (err instanceof ReferenceError) throw new UsageError(err.message);
    throw err;
  }
}
