import { describe, expect, it } from 'vitest';
import { childrenToFetch, evaluate, type EvaluateInput } from '../../../src/domain/verdict.js';
import { ManifestError } from '../../../src/domain/manifest.js';
import { severityOf } from '../../../src/domain/fixes.js';
import { OCI1Index, OCI1Manifest } from '../../../src/domain/media-types.js';
import type { ManifestBlob } from '../../../src/domain/model.js';
import type { Policy, Verdict } from '../../../src/domain/verdict-types.js';
import { catalogue, fixtureNamed } from '../../fixtures/manifests.js';
import { sha256 } from '../../fixtures/blobs.js';

const strict = { policy: 'strict', exemptRepositories: [] } as const;
const topLevel = { policy: 'top-level', exemptRepositories: [] } as const;

function inputOf(name: string, overrides: Partial<EvaluateInput> = {}): EvaluateInput {
  const f = fixtureNamed(name);
  return { repository: 'example/app', tag: f.tag, top: f.top, children: f.children, ...overrides };
}

const ids = (reasons: Verdict['reasons']): string[] => reasons.map((r) => r.id).sort();

describe('evaluate over every fixture kind and policy', () => {
  const cases = catalogue.flatMap((f) =>
    (['strict', 'top-level'] as const).map((policy) => ({ name: f.name, policy, f })),
  );

  it.each(cases)('$name under $policy', ({ f, policy }) => {
    const verdict = evaluate(inputOf(f.name), { policy, exemptRepositories: [] });
    const want = f.expected;

    expect(verdict.digest).toBe(f.top.digest);
    expect(verdict.policy).toBe(policy);
    expect(verdict.kind).toBe(want.kind);
    expect(verdict.artifact).toBe(want.artifact);
    expect(verdict.status).toBe(policy === 'strict' ? want.strict : want.topLevel);
    const reasons = policy === 'strict' ? want.strictReasons : want.topLevelReasons;
    expect(ids(verdict.reasons)).toEqual([...reasons].sort());
    expect(verdict.convertible).toBe(want.convertible);
    expect([...new Set(ids(verdict.notConvertible))]).toEqual([...want.notConvertible].sort());
  });

  it.each(catalogue.map((f) => ({ name: f.name, f })))(
    'gives every noncompliant reason of $name a one-line fix',
    ({ f }) => {
      for (const r of evaluate(inputOf(f.name), strict).reasons) {
        if (severityOf(r.id) === 'noncompliant') expect(r.fix).toMatch(/^[^\n]+$/);
        else expect(r.fix).toBeUndefined();
      }
    },
  );
});

describe('verdict details', () => {
  it('records the platforms and attestation entries of a buildx index', () => {
    const verdict = evaluate(inputOf('buildx-attestations'), strict);

    expect(verdict.index?.platforms).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(verdict.index?.attestations).toBe(2);
    expect(verdict.index?.children.filter((c) => c.attestation)).toHaveLength(2);
    expect(verdict.image).toBeUndefined();
  });

  it('names the child, the layer count and the type in a strict reason', () => {
    const verdict = evaluate(inputOf('oci-index'), strict);
    const layer = verdict.reasons.find((r) => r.id === 'oci-layer');

    expect(layer?.message).toContain('linux/arm64/v8 sha256:');
    expect(layer?.message).toContain('1 of 1 layers (application/vnd.oci.image.layer.v1.tar+gzip)');
  });

  it('records image details of a single image', () => {
    const verdict = evaluate(inputOf('zstd-image'), strict);

    expect(verdict.image).toMatchObject({ compression: ['zstd'], layerCount: 2 });
    expect(verdict.notConvertible.map((r) => r.id)).toContain('zstd-layer');
  });

  it('records the normalized Content-Type as the media type', () => {
    const f = fixtureNamed('docker-image');
    const top = { ...f.top, mediaType: `${f.top.mediaType.toUpperCase()}; charset=utf-8` };
    const verdict = evaluate(inputOf('docker-image', { top }), strict);

    expect(verdict.mediaType).toBe(f.top.mediaType);
    expect(verdict.status).toBe('compliant');
  });
});

describe('exempt repositories and artifacts', () => {
  const exempt = { policy: 'strict', exemptRepositories: ['tools/*', 'legacy/**'] } as const;

  it('marks an OCI index in an exempt repository exempt, keeping its details', () => {
    const verdict = evaluate(inputOf('buildx-attestations', { repository: 'legacy/a/b' }), exempt);

    expect(verdict.status).toBe('exempt');
    expect(ids(verdict.reasons)).toEqual(['exempt-repository']);
    expect(verdict.kind).toBe('oci-index');
    expect(verdict.index?.attestations).toBe(2);
  });

  it('still checks a repository the glob does not reach', () => {
    const verdict = evaluate(inputOf('oci-image', { repository: 'tools/a/b' }), exempt);

    expect(verdict.status).toBe('noncompliant');
  });

  it('records an invalid manifest in an exempt repository as exempt, with the problem', () => {
    const top = blobOf('not json', OCI1Manifest);
    const verdict = evaluate({ repository: 'tools/x', top, children: new Map() }, exempt);

    expect(verdict.status).toBe('exempt');
    expect(ids(verdict.reasons)).toEqual(['exempt-repository', 'manifest-invalid-json']);
  });

  it('takes an image pushed under a cosign .sig tag for a signature', () => {
    const f = fixtureNamed('oci-image');
    const tag = `sha256-${'a'.repeat(64)}.sig`;
    const verdict = evaluate(inputOf('oci-image', { tag }), strict);

    expect(verdict).toMatchObject({ kind: 'artifact', artifact: 'signature', status: 'exempt' });
    expect(evaluate(inputOf('oci-image', { tag: 'v1' }), strict).kind).toBe(f.expected.kind);
  });
});

describe('children under strict', () => {
  const list = fixtureNamed('docker-list');
  const [first, second] = [...list.children.values()] as [ManifestBlob, ManifestBlob];

  it('reports a missing child as an error when nothing else is wrong', () => {
    const children = new Map([[first.digest, first]]);
    const verdict = evaluate(inputOf('docker-list', { children }), strict);

    expect(verdict.status).toBe('error');
    expect(ids(verdict.reasons)).toEqual(['child-missing']);
    expect(verdict.reasons[0]?.message).toContain(second.digest);
    expect(verdict.convertible).toBe(false);
  });

  it('keeps an index noncompliant when a child is missing too', () => {
    const verdict = evaluate(inputOf('oci-index', { children: new Map() }), strict);

    expect(verdict.status).toBe('noncompliant');
    expect(ids(verdict.reasons)).toEqual(['child-missing', 'oci-child', 'oci-index']);
  });

  it('ignores children under top-level', () => {
    const verdict = evaluate(inputOf('docker-list', { children: new Map() }), topLevel);

    expect(verdict.status).toBe('compliant');
    // Without the children the converter cannot vouch for the list.
    expect(verdict.convertible).toBe(false);
    expect(new Set(ids(verdict.notConvertible))).toEqual(new Set(['child-missing']));
  });

  const broken: readonly { name: string; child: ManifestBlob }[] = [
    { name: 'bytes that do not hash to the digest', child: { ...second, content: first.content } },
    { name: 'a blob fetched under another digest', child: first },
  ];

  it.each(broken)('reports $name as child-invalid', ({ child }) => {
    const children = new Map([
      [first.digest, first],
      [second.digest, child],
    ]);
    const verdict = evaluate(inputOf('docker-list', { children }), strict);

    expect(verdict.status).toBe('error');
    expect(ids(verdict.reasons)).toEqual(['child-invalid']);
  });
});

describe('childrenToFetch', () => {
  it('asks for every platform child but no attestation under strict', () => {
    const f = fixtureNamed('buildx-attestations');
    const wanted = childrenToFetch(f.top, 'strict');

    expect(wanted).toHaveLength(2);
    for (const digest of wanted) expect(f.children.has(digest)).toBe(true);
    const verdict = evaluate(inputOf('buildx-attestations'), strict);
    const platformDigests = verdict.index?.children
      .filter((c) => !c.attestation)
      .map((c) => c.digest);
    expect(wanted).toEqual(platformDigests);
  });

  const none: readonly { name: string; policy: Policy }[] = [
    { name: 'oci-index', policy: 'top-level' },
    { name: 'oci-image', policy: 'strict' },
    { name: 'buildkit-cache-index', policy: 'strict' },
    { name: 'docker-schema1', policy: 'strict' },
  ];

  it.each(none)('asks for nothing for $name under $policy', ({ name, policy }) => {
    expect(childrenToFetch(fixtureNamed(name).top, policy)).toEqual([]);
  });

  it('throws a ManifestError for a manifest it cannot parse', () => {
    const top = blobOf('[]', OCI1Index);

    expect(() => childrenToFetch(top, 'strict')).toThrow(ManifestError);
  });
});

function blobOf(text: string, mediaType: string): ManifestBlob {
  const content = new TextEncoder().encode(text);
  return { digest: sha256(content), mediaType, content };
}
