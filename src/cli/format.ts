/** Human-readable verdicts for the terminal. */
import { commonName, type Reference } from '../domain/reference.js';
import type { Verdict } from '../domain/verdict-types.js';

export function formatVerdict(ref: Reference, verdict: Verdict): string {
  const name = commonName({ ...ref, digest: verdict.digest || ref.digest });
  const lines = [`${name}`, `  status: ${verdict.status}  kind: ${describeKind(verdict)}`];
  lines.push(`  media type: ${verdict.mediaType || '(unknown)'}  policy: ${verdict.policy}`);
  if (verdict.index) {
    const { platforms, attestations, mixed } = verdict.index;
    lines.push(`  platforms: ${platforms.join(', ') || '(none)'}  attestations: ${attestations}`);
    if (mixed) lines.push('  mixes Docker and OCI media types');
  }
  if (verdict.image) {
    const { configMediaType, layerCount, compression } = verdict.image;
    lines.push(`  config: ${configMediaType}  layers: ${layerCount} (${compression.join(', ')})`);
  }
  // Reasons often share a fix: print each fix once, under the first reason that needs it.
  const fixes = new Set<string>();
  for (const reason of verdict.reasons) {
    lines.push(`  - ${reason.id}: ${reason.message}`);
    if (reason.fix && !fixes.has(reason.fix)) lines.push(`    fix: ${reason.fix}`);
    if (reason.fix) fixes.add(reason.fix);
  }
  if (verdict.status === 'noncompliant') {
    const why = verdict.notConvertible.map((r) => r.id).join(', ');
    lines.push(
      `  convertible to Docker media types: ${verdict.convertible ? 'yes' : `no (${why})`}`,
    );
  }
  return lines.join('\n');
}

function describeKind(verdict: Verdict): string {
  return verdict.artifact ? `${verdict.kind} (${verdict.artifact})` : verdict.kind;
}
