/**
 * Every media-type string the app knows, named by family, version and kind.
 * No other module spells a media type out.
 */

export const Docker2Manifest = 'application/vnd.docker.distribution.manifest.v2+json';
export const Docker2ManifestList = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const Docker2Config = 'application/vnd.docker.container.image.v1+json';
export const Docker2Layer = 'application/vnd.docker.image.rootfs.diff.tar';
export const Docker2LayerGzip = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const Docker2LayerZstd = 'application/vnd.docker.image.rootfs.diff.tar.zstd';
export const Docker2ForeignLayer = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const Docker1Manifest = 'application/vnd.docker.distribution.manifest.v1+json';
export const Docker1ManifestSigned = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DockerPluginConfig = 'application/vnd.docker.plugin.v1+json';

export const OCI1Manifest = 'application/vnd.oci.image.manifest.v1+json';
export const OCI1Index = 'application/vnd.oci.image.index.v1+json';
export const OCI1Config = 'application/vnd.oci.image.config.v1+json';
export const OCI1Layer = 'application/vnd.oci.image.layer.v1.tar';
export const OCI1LayerGzip = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI1LayerZstd = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const OCI1ForeignLayer = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
export const OCI1ForeignLayerGzip = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const OCI1ForeignLayerZstd = 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';
export const OCI1Empty = 'application/vnd.oci.empty.v1+json';
/** ocicrypt marks an encrypted layer by appending this to the plain layer type. */
export const EncryptedSuffix = '+encrypted';
/** The OCI 1.1 release candidate's artifact manifest: refused by registries now, still stored. */
export const OCI1ArtifactManifestRC = 'application/vnd.oci.artifact.manifest.v1+json';

/** Artifact content types seen in registries: Helm charts, cosign signatures, in-toto. */
export const HelmChartConfig = 'application/vnd.cncf.helm.config.v1+json';
export const CosignSimpleSigningLayer = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const InTotoLayer = 'application/vnd.in-toto+json';

/** The four manifest types every GET must accept; without them registries down-convert. */
export const ManifestAcceptTypes = [
  OCI1Manifest,
  Docker2Manifest,
  OCI1Index,
  Docker2ManifestList,
] as const;

export type Family = 'docker' | 'oci' | 'unknown';

/** Lower-cases and strips parameters (`; charset=utf-8`), as media types compare that way. */
export function normalizeMediaType(value: string | undefined | null): string {
  if (!value) return '';
  return value.split(';')[0]!.trim().toLowerCase();
}

/** Same media type after normalization. */
export function sameMediaType(a: string | undefined, b: string | undefined): boolean {
  return normalizeMediaType(a) === normalizeMediaType(b);
}

export function familyOf(mediaType: string | undefined): Family {
  const m = normalizeMediaType(mediaType);
  if (m.startsWith('application/vnd.docker.')) return 'docker';
  if (m.startsWith('application/vnd.oci.')) return 'oci';
  return 'unknown';
}

/*
 * Artifact media types, checked against the tools that write them: cosign (pkg/types and its
 * OCI 1.1 referrer artifact types), sigstore bundles, Notation (notaryproject specifications),
 * Helm (helm.sh OCI media types), BuildKit (cache/remotecache, docs/attestations) and the SBOM
 * formats cosign attaches. Artifacts are recognised by these; none of them is an image.
 */
export const CosignSignatureArtifact = 'application/vnd.dev.cosign.artifact.sig.v1+json';
export const CosignAttestationArtifact = 'application/vnd.dev.cosign.artifact.att.v1+json';
export const CosignSbomArtifact = 'application/vnd.dev.cosign.artifact.sbom.v1+json';
/** Sigstore bundles; older ones spell the version as a parameter (`+json;version=0.2`). */
export const SigstoreBundle = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SigstoreBundlePrefix = 'application/vnd.dev.sigstore.bundle';
export const DsseEnvelope = 'application/vnd.dsse.envelope.v1+json';
export const NotarySignature = 'application/vnd.cncf.notary.signature';
export const NotaryJwsEnvelope = 'application/jose+json';
export const NotaryCoseEnvelope = 'application/cose';
export const HelmChartContent = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HelmChartProvenance = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
export const BuildKitCacheConfig = 'application/vnd.buildkit.cacheconfig.v0';
/** BuildKit 0.13+ writes attestation manifests as OCI 1.1 referrers with this artifactType. */
export const DockerAttestationManifest = 'application/vnd.docker.attestation.manifest.v1+json';
export const SpdxJson = 'application/spdx+json';
export const SpdxText = 'text/spdx';
export const SpdxTextJson = 'text/spdx+json';
/** What cosign writes for `--type spdxjson`: not a registered media type, but seen in the wild. */
export const CosignSpdxJson = 'spdx+json';
export const CycloneDx = 'application/vnd.cyclonedx';
export const CycloneDxJson = 'application/vnd.cyclonedx+json';
export const CycloneDxXml = 'application/vnd.cyclonedx+xml';
export const SyftJson = 'application/vnd.syft+json';

/** Content types a misconfigured proxy or registry may send instead of the manifest's own. */
export const GenericContentTypes = [
  'application/json',
  'application/octet-stream',
  'text/plain',
  'binary/octet-stream',
] as const;
