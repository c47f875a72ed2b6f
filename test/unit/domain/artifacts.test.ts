import { describe, expect, it } from 'vitest';
import {
  CosignSignPredicateType,
  SigstorePredicateTypeAnnotation,
  artifactKind,
} from '../../../src/domain/artifacts.js';
import {
  CosignAttestationArtifact,
  CosignSbomArtifact,
  CosignSignatureArtifact,
  CycloneDxJson,
  Docker1Manifest,
  Docker2Config,
  Docker2Manifest,
  DockerPluginConfig,
  DsseEnvelope,
  NotarySignature,
  OCI1ArtifactManifestRC,
  OCI1Config,
  OCI1Empty,
  OCI1Index,
  OCI1LayerGzip,
  OCI1Manifest,
  SigstoreBundle,
  SigstoreBundlePrefix,
  SpdxTextJson,
  SyftJson,
} from '../../../src/domain/media-types.js';
import type { Descriptor, ImageManifest, IndexManifest } from '../../../src/domain/model.js';
import type { ArtifactKind } from '../../../src/domain/verdict-types.js';

const digest = `sha256:${'c'.repeat(64)}`;
const d = (mediaType: string, extra: Partial<Descriptor> = {}): Descriptor => ({
  mediaType,
  digest,
  size: 1,
  ...extra,
});
const subject = d(OCI1Manifest);

function image(extra: Partial<ImageManifest> = {}): ImageManifest {
  return {
    form: 'image',
    mediaType: OCI1Manifest,
    config: d(OCI1Config),
    layers: [d(OCI1LayerGzip)],
    ...extra,
  };
}

function index(
  manifests: readonly Descriptor[],
  extra: Partial<IndexManifest> = {},
): IndexManifest {
  return { form: 'index', mediaType: OCI1Index, manifests, ...extra };
}

const sigBundle = { [SigstorePredicateTypeAnnotation]: CosignSignPredicateType };
const attBundle = { [SigstorePredicateTypeAnnotation]: 'https://slsa.dev/provenance/v1' };
const hex = 'f'.repeat(64);

const cases: readonly {
  name: string;
  manifest: ImageManifest | IndexManifest;
  tag?: string;
  want: ArtifactKind | undefined;
}[] = [
  { name: 'a plain OCI image', manifest: image(), want: undefined },
  {
    name: 'a plain Docker image',
    manifest: image({ mediaType: Docker2Manifest, config: d(Docker2Config) }),
    want: undefined,
  },
  {
    name: 'an image under a cosign .sig tag',
    manifest: image(),
    tag: `sha256-${hex}.sig`,
    want: 'signature',
  },
  {
    name: 'an image under a cosign .att tag',
    manifest: image(),
    tag: `sha256-${hex}.att`,
    want: 'attestation',
  },
  {
    name: 'an image under a cosign .sbom tag',
    manifest: image(),
    tag: `sha256-${hex}.sbom`,
    want: 'sbom',
  },
  {
    name: 'an image under a tag that only looks like cosign',
    manifest: image(),
    tag: 'sha256-abc.sig',
    want: undefined,
  },
  { name: 'a DSSE layer', manifest: image({ layers: [d(DsseEnvelope)] }), want: 'attestation' },
  {
    name: 'an SPDX layer as cosign attaches it',
    manifest: image({ layers: [d(SpdxTextJson)] }),
    want: 'sbom',
  },
  { name: 'a syft layer', manifest: image({ layers: [d(SyftJson)] }), want: 'sbom' },
  {
    name: 'a CycloneDX artifactType',
    manifest: image({ artifactType: CycloneDxJson, config: d(OCI1Empty), subject }),
    want: 'sbom',
  },
  {
    name: 'a cosign signature referrer',
    manifest: image({ artifactType: CosignSignatureArtifact, subject }),
    want: 'signature',
  },
  {
    name: 'a cosign attestation referrer',
    manifest: image({ artifactType: CosignAttestationArtifact, subject }),
    want: 'attestation',
  },
  {
    name: 'a cosign SBOM referrer',
    manifest: image({ artifactType: CosignSbomArtifact, subject }),
    want: 'sbom',
  },
  {
    name: 'a sigstore bundle of a signature',
    manifest: image({ artifactType: SigstoreBundle, subject, annotations: sigBundle }),
    want: 'signature',
  },
  {
    name: 'a sigstore bundle of an attestation',
    manifest: image({ artifactType: SigstoreBundle, subject, annotations: attBundle }),
    want: 'attestation',
  },
  {
    name: 'an older sigstore bundle type',
    manifest: image({ artifactType: `${SigstoreBundlePrefix}+json;version=0.2`, subject }),
    want: 'attestation',
  },
  {
    name: 'an unknown artifactType with a subject',
    manifest: image({ artifactType: 'application/vnd.example+json', subject }),
    want: 'attestation',
  },
  {
    name: 'an unknown artifactType alone',
    manifest: image({ artifactType: 'application/vnd.example+json' }),
    want: 'other',
  },
  {
    name: 'an empty config and no artifactType',
    manifest: image({ config: d(OCI1Empty) }),
    want: 'other',
  },
  {
    name: 'a Docker plugin',
    manifest: image({ mediaType: Docker2Manifest, config: d(DockerPluginConfig) }),
    want: 'other',
  },
  {
    name: 'a 1.1-rc Notation signature',
    manifest: image({
      mediaType: OCI1ArtifactManifestRC,
      artifactType: NotarySignature,
      config: d(OCI1Empty),
    }),
    want: 'signature',
  },
  {
    name: 'a 1.1-rc manifest of something else',
    manifest: image({ mediaType: OCI1ArtifactManifestRC, config: d(OCI1Empty), layers: [] }),
    want: 'other',
  },
  { name: 'an image index', manifest: index([d(OCI1Manifest)]), want: undefined },
  { name: 'an empty index', manifest: index([]), want: undefined },
  {
    name: 'an index with an artifactType',
    manifest: index([d(OCI1Manifest)], { artifactType: 'application/vnd.example+json' }),
    want: 'other',
  },
  {
    name: 'a referrers-tag index of signatures',
    manifest: index([
      d(OCI1Manifest, { artifactType: NotarySignature }),
      d(OCI1Manifest, { artifactType: CosignSignatureArtifact }),
    ]),
    want: 'signature',
  },
  {
    name: 'a referrers-tag index of mixed artifacts',
    manifest: index([
      d(OCI1Manifest, { artifactType: NotarySignature }),
      d(OCI1Manifest, { artifactType: SyftJson }),
    ]),
    want: 'other',
  },
  {
    name: 'an index of images and one artifact',
    manifest: index([d(OCI1Manifest), d(OCI1Manifest, { artifactType: NotarySignature })]),
    want: undefined,
  },
];

describe('artifactKind', () => {
  it.each(cases)('calls $name $want', ({ manifest, tag, want }) => {
    expect(artifactKind(manifest, tag)).toBe(want);
  });

  it('never calls schema 1 an artifact', () => {
    const schema1 = { form: 'schema1', mediaType: Docker1Manifest, layerCount: 0 } as const;

    expect(artifactKind(schema1, `sha256-${hex}.sig`)).toBeUndefined();
  });
});
