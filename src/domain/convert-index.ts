/**
 * OCI image index (or Docker manifest list) -> Docker manifest list (DESIGN.md, Remediation,
 * `retag`). Attestation and artifact entries are dropped, every other entry is converted, and
 * the list names only Docker v2 manifests: registries such as distribution accept a Docker list
 * of OCI children, but the clients this app protects cannot pull one.
 */

import {
  Docker1Manifest,
  Docker1ManifestSigned,
  Docker2Manifest,
  Docker2ManifestList,
  OCI1Index,
  normalizeMediaType,
} from './media-types.js';
import type { Descriptor, ImageManifest, IndexManifest, Manifest } from './model.js';
import type { Reason } from './verdict-types.js';
import type { ConversionResult, ConvertedManifest } from './convert-types.js';
import * as why from './convert-reasons.js';
import { convertImage, isArtifactManifest } from './convert-image.js';
import { isAttestationEntry } from './convert-attestation.js';
import { serializeList, type Docker2ListEntry } from './convert-serialize.js';

const indexTypes: ReadonlySet<string> = new Set([OCI1Index, Docker2ManifestList]);
const schema1Types: ReadonlySet<string> = new Set([Docker1Manifest, Docker1ManifestSigned]);

/** What becomes of one index entry. */
type EntryPlan =
  | { readonly action: 'drop'; readonly entry: Descriptor }
  | { readonly action: 'refuse'; readonly reasons: readonly Reason[] }
  | {
      readonly action: 'keep';
      readonly listed: Docker2ListEntry;
      /** Set when the child itself changed and must be pushed before the list. */
      readonly converted?: ConvertedManifest;
      readonly changed: boolean;
    };

type KeptPlan = Extract<EntryPlan, { action: 'keep' }>;

/**
 * Converts an index to a Docker manifest list. `children` holds the parsed child manifests by
 * digest; dropped entries need none. A list that is already all Docker, with no attestation
 * entries, gives `changed: false`.
 */
export function convertIndex(
  index: IndexManifest,
  sourceDigest: string,
  children: ReadonlyMap<string, Manifest>,
): ConversionResult {
  const type = normalizeMediaType(index.mediaType);
  if (!indexTypes.has(type)) {
    const expected = `'${OCI1Index}' or '${Docker2ManifestList}'`;
    return { ok: false, reasons: [why.unknownManifestType(type, expected)] };
  }

  const plans = index.manifests.map((entry) => planEntry(entry, children));
  const reasons = plans.flatMap((plan) => (plan.action === 'refuse' ? plan.reasons : []));
  if (reasons.length > 0) return { ok: false, reasons };

  const kept = plans.filter((plan): plan is KeptPlan => plan.action === 'keep');
  const dropped = plans.flatMap((plan) => (plan.action === 'drop' ? [plan.entry] : []));
  if (kept.length === 0) return { ok: false, reasons: [why.noPlatformChildren()] };

  const changed = type !== Docker2ManifestList || dropped.length > 0 || kept.some((k) => k.changed);
  if (!changed) return { ok: true, changed: false, sourceDigest, mediaType: Docker2ManifestList };

  const listed = kept.map((plan) => plan.listed);
  const list = serializeList(listed, sourceDigest);
  return { ok: true, changed: true, manifest: list, children: uniqueChildren(kept), dropped };
}

function planEntry(entry: Descriptor, children: ReadonlyMap<string, Manifest>): EntryPlan {
  const type = normalizeMediaType(entry.mediaType);
  if (isAttestationEntry(entry) || entry.artifactType !== undefined) {
    return { action: 'drop', entry };
  }
  if (indexTypes.has(type)) return { action: 'refuse', reasons: [why.nestedIndex(entry)] };
  if (schema1Types.has(type)) return refuseSchema1(entry, type);

  const child = children.get(entry.digest);
  if (child === undefined) return { action: 'refuse', reasons: [why.childMissing(entry)] };
  if (child.form === 'index') return { action: 'refuse', reasons: [why.nestedIndex(entry)] };
  if (child.form === 'schema1') return refuseSchema1(entry, child.mediaType);
  if (isArtifactManifest(child)) return { action: 'drop', entry };
  return planImage(entry, child);
}

/** A kept entry: schema 2 requires its platform, and its child must convert. */
function planImage(entry: Descriptor, child: ImageManifest): EntryPlan {
  if (entry.platform === undefined) {
    return { action: 'refuse', reasons: [why.missingPlatform(entry)] };
  }

  const result = convertImage(child, entry.digest);
  if (!result.ok) {
    return { action: 'refuse', reasons: result.reasons.map((r) => why.inChild(entry, r)) };
  }
  if (!result.changed) {
    // Same bytes as before: keep the exact digest and size, and do not push it again.
    const listed = { mediaType: Docker2Manifest, ...sized(entry), platform: entry.platform };
    const changed = normalizeMediaType(entry.mediaType) !== Docker2Manifest;
    return { action: 'keep', listed, changed };
  }
  const converted = result.manifest;
  const listed = { mediaType: converted.mediaType, ...sized(converted), platform: entry.platform };
  return { action: 'keep', listed, converted, changed: true };
}

function refuseSchema1(entry: Descriptor, mediaType: string): EntryPlan {
  return { action: 'refuse', reasons: [why.schema1(entry.digest, mediaType)] };
}

function sized(target: Descriptor | ConvertedManifest): { digest: string; size: number } {
  const size = 'content' in target ? target.content.byteLength : target.size;
  return { digest: target.digest, size };
}

/** Converted children in index order, each digest once (two entries may share a child). */
function uniqueChildren(kept: readonly KeptPlan[]): ConvertedManifest[] {
  const byDigest = new Map<string, ConvertedManifest>();
  for (const plan of kept) {
    if (plan.converted !== undefined && !byDigest.has(plan.converted.digest)) {
      byDigest.set(plan.converted.digest, plan.converted);
    }
  }
  return [...byDigest.values()];
}
