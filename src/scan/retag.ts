/**
 * Retag: convert to Docker media types and move the tag to the converted manifest, keeping
 * the original reachable by digest and under a backup tag. Refusals fall back to
 * RETAG_FALLBACK. A signed image (cosign tag or a signature among its OCI 1.1 referrers) is
 * refused unless RETAG_SIGNED=true: signatures name the digest, which conversion changes.
 */
import { artifactKindOfType } from '../domain/artifacts.js';
import { convertManifest, type Converted } from '../domain/convert.js';
import { parseManifest } from '../domain/manifest.js';
import type { Descriptor, Manifest } from '../domain/model.js';
import { isTag } from '../domain/reference.js';
import type { ArtifactKind } from '../domain/verdict-types.js';
import { RegistryError } from '../registry/port.js';
import type { ActionKey } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import { quarantine } from './quarantine.js';
import { because, type ActionResult, type RemediationDeps } from './remediate.js';

export async function retag(
  key: ActionKey,
  verdict: ComplianceRecord,
  deps: RemediationDeps,
): Promise<ActionResult> {
  const { registry, config } = deps;
  const { repository } = key;

  const attached = await referrersOf(deps, key);
  if (!config.retagSigned) {
    const signed = await signedBy(deps, key, attached);
    if (signed !== undefined) return fallback(key, verdict, deps, signed);
  }

  const top = await registry.getManifest(repository, key.digest);
  const manifest = parseManifest(top);
  const children = await childManifests(deps, repository, manifest);
  const result = convertManifest(manifest, key.digest, children);
  if (!result.ok) {
    return fallback(key, verdict, deps, result.reasons.map((r) => r.message).join('; '));
  }
  if (!result.changed) return { action: 'none', detail: 'already uses Docker media types' };

  const backupTag = config.retagBackupSuffix ? key.tag + config.retagBackupSuffix : undefined;
  if (backupTag !== undefined && !isTag(backupTag)) {
    return fallback(key, verdict, deps, `backup tag "${backupTag}" is not a valid tag`);
  }
  const detail = describe(key, result, backupTag, attached);
  if (config.dryRun) return { action: 'dry-run:retag', detail: `would have ${detail}` };

  const moved = await push(deps, key, result, backupTag, top.content, top.mediaType);
  if (moved !== undefined) {
    const left = `converted copy ${result.manifest.digest} not tagged`;
    return { action: 'none', detail: `tag moved to ${moved} during the retag; ${left}` };
  }
  return { action: 'retag', detail };
}

/** Pushes the backup, the children and the tag; returns where the tag went if it moved. */
async function push(
  deps: RemediationDeps,
  key: ActionKey,
  result: Converted,
  backupTag: string | undefined,
  original: Uint8Array,
  originalMediaType: string,
): Promise<string | undefined> {
  const { registry, store } = deps;
  const { repository } = key;
  const own = { registry: key.registry, repository };

  // Noted before pushing, so the events of our own pushes are recognised however fast they come.
  await store.markOwnPush(
    { ...own, tag: key.tag, digest: result.manifest.digest },
    `converted from ${key.digest}`,
  );
  if (backupTag !== undefined) {
    await store.markOwnPush({ ...own, tag: backupTag, digest: key.digest }, `backup of ${key.tag}`);
    await registry.putManifest(repository, original, originalMediaType, backupTag);
  }
  // Children first: a registry refuses a list whose children it does not have.
  for (const child of result.children) {
    await putExpecting(deps, repository, child.content, child.mediaType, child.digest);
  }
  // A user's push since remediate() checked the tag must not be overwritten with a conversion
  // of older content. Manifest PUTs cannot be conditional (no If-Match in the distribution
  // API), so this narrows the window to one round trip; it cannot close it.
  const current = await registry.resolveTag(repository, key.tag);
  if (current !== key.digest) return current ?? '(deleted)';
  await putExpecting(
    deps,
    repository,
    result.manifest.content,
    result.manifest.mediaType,
    result.manifest.digest,
    key.tag,
  );
  return undefined;
}

async function putExpecting(
  deps: RemediationDeps,
  repository: string,
  content: Uint8Array,
  mediaType: string,
  digest: string,
  tag?: string,
): Promise<void> {
  const pushed = await deps.registry.putManifest(repository, content, mediaType, tag);
  if (pushed !== digest) {
    throw new RegistryError(
      `registry stored ${repository}@${digest} as ${pushed}`,
      undefined,
      false,
    );
  }
}

async function childManifests(
  deps: RemediationDeps,
  repository: string,
  manifest: Manifest,
): Promise<Map<string, Manifest>> {
  const children = new Map<string, Manifest>();
  if (manifest.form !== 'index') return children;
  for (const descriptor of manifest.manifests) {
    try {
      children.set(
        descriptor.digest,
        parseManifest(await deps.registry.getManifest(repository, descriptor.digest)),
      );
    } catch (err) {
      // A missing or unreadable child is refused by the conversion with a reason.
      if (err instanceof RegistryError && err.transient) throw err;
    }
  }
  return children;
}

async function fallback(
  key: ActionKey,
  verdict: ComplianceRecord,
  deps: RemediationDeps,
  why: string,
): Promise<ActionResult> {
  if (deps.config.retagFallback === 'quarantine') {
    return quarantine(key, verdict, deps, `; not converted: ${why}`);
  }
  const detail = `not converted: ${why}; ${because(verdict)}`;
  return { action: deps.config.dryRun ? 'dry-run:retag-refused' : 'retag-refused', detail };
}

interface Attached {
  readonly referrers: readonly Descriptor[];
  /** Why the referrers could not be listed, when a registry refused for good. */
  readonly problem?: string;
}

/**
 * What refers to the image through the OCI 1.1 referrers API (Notation signatures, cosign in
 * its OCI 1.1 mode, SBOMs, attestations). A registry without the API (distribution 2.8) has
 * none to lose: there only the cosign tag can tell a signed image.
 */
async function referrersOf(deps: RemediationDeps, key: ActionKey): Promise<Attached> {
  try {
    return { referrers: (await deps.registry.listReferrers(key.repository, key.digest)) ?? [] };
  } catch (err) {
    if (!(err instanceof RegistryError) || err.transient) throw err;
    return { referrers: [], problem: `its referrers could not be listed (${err.message})` };
  }
}

/** A referrer's kind by its artifactType (and annotations, for sigstore bundles). */
function kindOf(referrer: Descriptor): ArtifactKind {
  return artifactKindOfType(referrer.artifactType, referrer.annotations) ?? 'other';
}

/** Why the image counts as signed, or undefined when nothing says it is. */
async function signedBy(
  deps: RemediationDeps,
  key: ActionKey,
  attached: Attached,
): Promise<string | undefined> {
  const anyway =
    'conversion would invalidate its signatures; set RETAG_SIGNED=true to convert anyway';

  // cosign keeps a signature under sha256-<hex>.sig; a new digest would orphan it.
  const signatureTag = `sha256-${key.digest.slice('sha256:'.length)}.sig`;
  if (await deps.registry.resolveTag(key.repository, signatureTag)) {
    return `signed (${signatureTag}): ${anyway}`;
  }

  const signatures = attached.referrers.filter((r) => kindOf(r) === 'signature');
  if (signatures.length > 0) {
    const named = signatures.slice(0, 3).map((s) => `${s.digest} ${s.artifactType ?? ''}`.trim());
    const more = signatures.length > 3 ? ` and ${signatures.length - 3} more` : '';
    const noun = signatures.length === 1 ? 'signature referrer' : 'signature referrers';
    return `signed (${noun} ${named.join(', ')}${more}): ${anyway}`;
  }
  if (attached.problem !== undefined) return `${attached.problem}, so it may be signed: ${anyway}`;
  return undefined;
}

/** Referrers name the original digest: the converted copy has none of them. */
function orphaned(attached: Attached): string | undefined {
  const { referrers, problem } = attached;
  if (problem !== undefined) return problem;
  if (referrers.length === 0) return undefined;
  const kinds = [...new Set(referrers.map(kindOf))].sort().join(', ');
  const one = referrers.length === 1;
  return (
    `${referrers.length} ${one ? 'referrer' : 'referrers'} (${kinds}) ` +
    `${one ? 'stays' : 'stay'} attached to the original digest`
  );
}

function describe(
  key: ActionKey,
  result: Converted,
  backupTag: string | undefined,
  attached: Attached,
): string {
  const parts = [
    `converted ${key.digest} to ${result.manifest.digest} (${result.manifest.mediaType})`,
  ];
  if (result.children.length > 0) parts.push(`${result.children.length} children converted`);
  if (result.dropped.length > 0) parts.push(`${result.dropped.length} attestation entries dropped`);
  parts.push(
    backupTag !== undefined ? `original kept as ${backupTag}` : 'original kept by digest only',
  );
  const left = orphaned(attached);
  if (left !== undefined) parts.push(left);
  return parts.join('; ');
}
