/**
 * The retag decision about what refers to an image: signatures (cosign tag, or OCI 1.1
 * referrers such as Notation's) stop a conversion unless RETAG_SIGNED=true; SBOMs and
 * attestations do not, but are named as left behind on the original digest. A plain fake
 * registry serves one OCI image; dry runs and the `record` fallback never touch the store.
 */
import { describe, expect, it } from 'vitest';
import {
  CosignSignatureArtifact,
  DockerAttestationManifest,
  NotarySignature,
  OCI1Manifest,
  SigstoreBundle,
  SpdxJson,
} from '../../../src/domain/media-types.js';
import type { Descriptor } from '../../../src/domain/model.js';
import { silentLogger } from '../../../src/log.js';
import { RegistryError, type RegistryPort } from '../../../src/registry/port.js';
import type { RemediationConfig, RemediationDeps } from '../../../src/scan/remediate.js';
import { retag } from '../../../src/scan/retag.js';
import type { ActionKey, ComplianceStore } from '../../../src/store/port.js';
import { fixtureNamed } from '../../fixtures/manifests.js';
import { tagRow } from './records.js';

const image = fixtureNamed('oci-image').top;
const key: ActionKey = {
  registry: 'reg.example',
  repository: 'app',
  tag: 'v1',
  digest: image.digest,
  eventId: 'e1',
};
const cosignSigTag = `sha256-${image.digest.slice('sha256:'.length)}.sig`;

function referrer(n: number, artifactType: string, annotations?: Record<string, string>) {
  const descriptor: Descriptor = {
    mediaType: OCI1Manifest,
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 500 + n,
    artifactType,
    ...(annotations !== undefined ? { annotations } : {}),
  };
  return descriptor;
}

const notation = referrer(1, NotarySignature);
const cosignReferrer = referrer(2, CosignSignatureArtifact);
const sbom = referrer(3, SpdxJson);
const attestation = referrer(4, DockerAttestationManifest);
const signingBundle = referrer(5, SigstoreBundle, {
  'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1',
});
const provenanceBundle = referrer(6, SigstoreBundle, {
  'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1',
});

interface Setup {
  /** What listReferrers answers, or throws. */
  readonly referrers: readonly Descriptor[] | undefined | RegistryError;
  readonly cosignTag?: boolean;
  readonly retagSigned?: boolean;
}

/** A registry holding the image (and a cosign signature tag if asked); it pushes nothing. */
function depsFor(setup: Setup): RemediationDeps {
  const registry: RegistryPort = {
    registry: key.registry,
    getManifest: async (_repository, ref) => {
      if (ref !== image.digest) throw new RegistryError(`no ${ref}`, 404, false);
      return image;
    },
    putManifest: async () => {
      throw new Error('a dry run pushes nothing');
    },
    resolveTag: async (_repository, tag) =>
      tag === cosignSigTag && setup.cosignTag ? 'sha256:'.padEnd(71, 'c') : undefined,
    getManifestAttributes: async () => {
      throw new Error('not used by retag');
    },
    setManifestAttributes: async () => {
      throw new Error('not used by retag');
    },
    listReferrers: async () => {
      if (setup.referrers instanceof RegistryError) throw setup.referrers;
      return setup.referrers;
    },
    listRepositories: async function* () {},
    listTags: async function* () {},
  };
  const config: RemediationConfig = {
    remediation: 'retag',
    dryRun: true,
    retagFallback: 'record',
    retagBackupSuffix: '-oci',
    retagSigned: setup.retagSigned ?? false,
  };
  // Dry runs and the record fallback never reach the store.
  const store = {} as ComplianceStore;
  return { config, registry, store, log: silentLogger, now: '2026-01-10T00:00:00.000Z' };
}

function run(setup: Setup) {
  return retag(key, tagRow('app', 'v1', 'noncompliant'), depsFor(setup));
}

describe('retag and what refers to the image', () => {
  it.each([
    ['a Notation signature referrer', [notation], notation],
    ['a cosign signature referrer (OCI 1.1 mode)', [cosignReferrer], cosignReferrer],
    ['a sigstore bundle of a cosign signature', [sbom, signingBundle], signingBundle],
  ])('refuses to convert an image with %s, naming it', async (_label, referrers, signature) => {
    const result = await run({ referrers });

    expect(result.action).toBe('dry-run:retag-refused');
    expect(result.detail).toContain(
      `signed (signature referrer ${signature.digest} ${signature.artifactType})`,
    );
    expect(result.detail).toContain('set RETAG_SIGNED=true to convert anyway');
  });

  it('names every signature referrer, the first three by digest', async () => {
    const many = [1, 2, 3, 4, 5].map((n) => referrer(n, NotarySignature));

    const result = await run({ referrers: many });

    expect(result.detail).toContain(`signature referrers ${many[0]!.digest} ${NotarySignature}`);
    expect(result.detail).toContain(`${many[2]!.digest} ${NotarySignature} and 2 more)`);
  });

  it('refuses on the cosign signature tag whether or not the registry has referrers', async () => {
    for (const referrers of [undefined, [], [sbom]]) {
      const result = await run({ referrers, cosignTag: true });

      expect(result.action).toBe('dry-run:retag-refused');
      expect(result.detail).toContain(`signed (${cosignSigTag})`);
    }
  });

  it.each([
    ['no referrers API (distribution 2.8)', undefined, undefined],
    ['no referrers', [], undefined],
    ['an SBOM', [sbom], '1 referrer (sbom) stays attached to the original digest'],
    [
      'an SBOM and attestations',
      [sbom, attestation, provenanceBundle],
      '3 referrers (attestation, sbom) stay attached to the original digest',
    ],
  ])('converts an unsigned image with %s, saying what stays behind', async (_, referrers, left) => {
    const result = await run({ referrers });

    expect(result.action).toBe('dry-run:retag');
    expect(result.detail).toMatch(/^would have converted /);
    if (left === undefined) expect(result.detail).not.toContain('referrer');
    else expect(result.detail).toContain(left);
  });

  it('converts a signed image with RETAG_SIGNED=true, naming what is left behind', async () => {
    const result = await run({ referrers: [notation, sbom], retagSigned: true });

    expect(result.action).toBe('dry-run:retag');
    expect(result.detail).toContain(
      '2 referrers (sbom, signature) stay attached to the original digest',
    );
  });

  it('refuses when the referrers cannot be read: a signature may hide there', async () => {
    const refused = new RegistryError('referrers of reg.example/app: not an index', 200, false);

    const result = await run({ referrers: refused });

    expect(result.action).toBe('dry-run:retag-refused');
    expect(result.detail).toContain('its referrers could not be listed (referrers of');
    expect(result.detail).toContain('it may be signed');
  });

  it('converts despite unreadable referrers with RETAG_SIGNED=true, and says so', async () => {
    const refused = new RegistryError('referrers of reg.example/app: not an index', 200, false);

    const result = await run({ referrers: refused, retagSigned: true });

    expect(result.action).toBe('dry-run:retag');
    expect(result.detail).toContain('its referrers could not be listed');
  });

  it('lets a transient referrers failure through, so the delivery is retried', async () => {
    const throttled = new RegistryError('list referrers failed (429)', 429, true);

    await expect(run({ referrers: throttled })).rejects.toBe(throttled);
  });
});
