/**
 * The policy checks (DESIGN.md, Verdict): `top-level` looks only at the pushed manifest's own
 * media type, as `docker manifest inspect` shows it; `strict` also requires Docker types for
 * every child, config and layer, and no attestation entries in a list. Also the
 * EXEMPT_REPOSITORIES glob matcher.
 *
 * @module
 */

import { Docker2Config, Docker2ManifestList, familyOf, normalizeMediaType } from './media-types.js';
import type { Descriptor, ImageManifest, IndexManifest, Manifest } from './model.js';
import type { Reason } from './verdict-types.js';
import type { Classification } from './classify.js';
import { isAttestationEntry, layerInfo, platformString } from './classify.js';
import { isArtifact } from './artifacts.js';
import { isImageMediaType, isIndexMediaType, isSchema1MediaType } from './manifest.js';
import { ManifestError } from './manifest-error.js';
import { reason, type ReasonId } from './fixes.js';

/**
 * One glob of EXEMPT_REPOSITORIES against a repository: `*` matches within one path segment,
 * `**` any number of segments (none included, so `legacy/**` also matches `legacy`), `?` one
 * character. Case-insensitive, as repository names are lower case.
 */
export function matchesGlob(repository: string, glob: string): boolean {
  const pattern = glob
    .trim()
    .toLowerCase()
    .replace(/^\/+|\/+$/g, '');
  if (pattern === '') return false;
  return matchSegments(pattern.split('/'), repository.toLowerCase().split('/'));
}

export function isExemptRepository(repository: string, globs: readonly string[]): boolean {
  return globs.some((glob) => matchesGlob(repository, glob));
}

function matchSegments(pattern: readonly string[], name: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return name.length === 0;
  if (head === '**') {
    for (let skip = 0; skip <= name.length; skip += 1) {
      if (matchSegments(rest, name.slice(skip))) return true;
    }
    return false;
  }
  const [first, ...others] = name;
  return first !== undefined && segmentMatches(head, first) && matchSegments(rest, others);
}

function segmentMatches(pattern: string, segment: string): boolean {
  let source = '';
  for (const char of pattern.replace(/\*+/g, '*')) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(segment);
}

/** A child manifest as the verdict saw it: fetched and parsed, unreadable, or not there. */
export type ChildOutcome =
  | { readonly state: 'parsed'; readonly manifest: Manifest }
  | { readonly state: 'invalid'; readonly error: ManifestError | string }
  | { readonly state: 'missing' };

/** Collects details per reason id, so ten OCI layers make one reason, not ten. */
class Findings {
  private readonly details = new Map<ReasonId, string[]>();

  add(id: ReasonId, detail?: string): void {
    const list = this.details.get(id) ?? [];
    if (detail !== undefined && !list.includes(detail)) list.push(detail);
    this.details.set(id, list);
  }

  reasons(): Reason[] {
    return [...this.details].map(([id, list]) =>
      reason(id, list.length > 0 ? list.join('; ') : undefined),
    );
  }
}

/** `top-level`: the pushed manifest's own media type only. */
export function topLevelReasons(classification: Classification): Reason[] {
  const findings = new Findings();
  ownTypeFindings(classification.manifest, findings);
  return findings.reasons();
}

/** `strict`: the manifest, every child the list names, every config and every layer. */
export function strictReasons(
  classification: Classification,
  children: (digest: string) => ChildOutcome,
): Reason[] {
  const findings = new Findings();
  const manifest = classification.manifest;
  ownTypeFindings(manifest, findings);
  if (manifest.form === 'image') imageFindings(manifest, '', findings);
  if (manifest.form === 'index') indexFindings(manifest, children, findings);
  return findings.reasons();
}

function ownTypeFindings(manifest: Manifest, findings: Findings): void {
  if (manifest.form === 'schema1') findings.add('docker-schema1');
  else if (familyOf(manifest.mediaType) === 'oci') {
    findings.add(manifest.form === 'index' ? 'oci-index' : 'oci-manifest');
  }
}

function imageFindings(manifest: ImageManifest, where: string, findings: Findings): void {
  const config = normalizeMediaType(manifest.config.mediaType);
  if (config !== Docker2Config) findings.add('oci-config', `${where}${config}`);

  const counts = new Map<ReasonId, Set<string>>();
  for (const layer of manifest.layers) {
    for (const id of layerReasons(layer)) {
      const types = counts.get(id) ?? new Set<string>();
      counts.set(id, types.add(normalizeMediaType(layer.mediaType)));
    }
  }
  for (const [id, types] of counts) {
    const n = manifest.layers.filter((l) => types.has(normalizeMediaType(l.mediaType))).length;
    findings.add(id, `${where}${n} of ${manifest.layers.length} layers (${[...types].join(', ')})`);
  }
}

function layerReasons(layer: Descriptor): ReasonId[] {
  const info = layerInfo(layer.mediaType);
  const ids: ReasonId[] = [];
  if (info.encrypted) ids.push('encrypted-layer');
  if (info.compression === 'zstd') ids.push('zstd-layer');
  if (!info.known) ids.push('unknown-layer');
  else if (info.family === 'oci') ids.push('oci-layer');
  return ids;
}

function indexFindings(
  index: IndexManifest,
  children: (digest: string) => ChildOutcome,
  findings: Findings,
): void {
  const attestations = index.manifests.filter(isAttestationEntry);
  if (attestations.length > 0) {
    findings.add(
      'attestation-entries',
      `${attestations.length} of ${index.manifests.length} entries`,
    );
  }
  const types = [...new Set(index.manifests.map((e) => normalizeMediaType(e.mediaType)))];
  const docker = normalizeMediaType(index.mediaType) === Docker2ManifestList;
  if (docker && types.some((t) => familyOf(t) === 'oci'))
    findings.add('mixed-list', types.join(', '));

  const seen = new Set<string>();
  for (const entry of index.manifests) {
    // Attestation and artifact entries are not platform images; conversion drops them.
    if (isAttestationEntry(entry) || entry.artifactType !== undefined || seen.has(entry.digest)) {
      continue;
    }
    seen.add(entry.digest);
    entryFindings(entry, children(entry.digest), findings);
  }
}

function entryFindings(entry: Descriptor, outcome: ChildOutcome, findings: Findings): void {
  const type = normalizeMediaType(entry.mediaType);
  const where = `${platformString(entry.platform) ?? 'no platform'} ${entry.digest}`;
  if (isIndexMediaType(type)) return findings.add('nested-index', where);
  if (isSchema1MediaType(type)) return findings.add('docker-schema1', where);
  if (!isImageMediaType(type)) return findings.add('unknown-child', `${where} (${type})`);
  if (familyOf(type) === 'oci') findings.add('oci-child', `${where} (${type})`);

  if (outcome.state === 'missing') return findings.add('child-missing', where);
  if (outcome.state === 'invalid') return invalidChild(where, outcome.error, findings);

  const child = outcome.manifest;
  const served = normalizeMediaType(child.mediaType);
  if (served !== type) {
    findings.add('child-media-type-mismatch', `${where}: listed as ${type}, served as ${served}`);
  }
  if (child.form === 'index') findings.add('nested-index', where);
  else if (child.form === 'schema1') findings.add('docker-schema1', where);
  else if (!isArtifact(child)) imageFindings(child, `${where}: `, findings);
}

function invalidChild(where: string, error: ManifestError | string, findings: Findings): void {
  if (error instanceof ManifestError && error.reason === 'manifest-unsupported-media-type') {
    return findings.add('unknown-child', `${where}: ${error.message}`);
  }
  findings.add('child-invalid', `${where}: ${error instanceof Error ? error.message : error}`);
}
