import { describe, expect, it } from 'vitest';
import { reason, reasonIds, severityOf } from '../../../src/domain/fixes.js';

describe('reasons', () => {
  it.each(reasonIds.map((id) => ({ id })))(
    'gives $id a sentence, and a fix when noncompliant',
    ({ id }) => {
      const r = reason(id);

      expect(r.id).toBe(id);
      expect(r.message).toMatch(/^[a-z][^\n]+[^.]$/);
      if (severityOf(id) === 'noncompliant') expect(r.fix).toMatch(/^[^\n]+$/);
      else expect(r.fix).toBeUndefined();
    },
  );

  it('puts the detail after the sentence', () => {
    expect(reason('oci-index', 'sha256:abc').message).toBe(
      'the manifest is an OCI image index, not a Docker manifest list: sha256:abc',
    );
  });

  it('cuts a long detail, as reasons land in a table property', () => {
    expect(reason('child-invalid', 'x'.repeat(10_000)).message.length).toBeLessThan(500);
  });

  it.each([
    ['oci-layer', 'noncompliant'],
    ['artifact', 'exempt'],
    ['exempt-repository', 'exempt'],
    ['child-missing', 'error'],
    ['manifest-invalid-json', 'error'],
    ['zstd-layer', 'noncompliant'],
    ['not-a-reason', undefined],
  ])('ranks %s as %s', (id, want) => {
    expect(severityOf(id)).toBe(want);
  });

  it('tells the user to turn attestations off and keep Docker media types', () => {
    const fix = reason('attestation-entries').fix ?? '';

    expect(fix).toContain('--provenance=false --sbom=false');
    expect(fix).toContain('oci-mediatypes=false');
    expect(reason('zstd-layer').fix).toContain('compression=gzip,force-compression=true');
    expect(reason('oci-index').fix).toContain('containerd');
    expect(reason('docker-schema1').fix).toContain('skopeo copy --format v2s2');
  });
});
