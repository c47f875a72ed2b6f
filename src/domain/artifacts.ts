/**
 * Recognises artifacts: signatures, SBOMs, attestations, Helm charts, BuildKit caches and
 * other non-image content that registries store as manifests (DESIGN.md, Verdict).
 *
 * An image manifest is an artifact when its tag, `artifactType`, config type or layer types
 * say so; an index when it says so with `artifactType`, lists BuildKit cache blobs, or only
 * lists referrers (the OCI referrers tag schema). Everything else is an image.
 *
 * @module
 */

import {
  BuildKitCacheConfig,
  CosignAttestationArtifact,
  CosignSbomArtifact,
  CosignSignatureArtifact,
  CosignSimpleSigningLayer,
  CosignSpdxJson,
  CycloneDx,
  CycloneDxJson,
  CycloneDxXml,
  Docker2Config,
  DockerAttestationManifest,
  DsseEnvelope,
  HelmChartConfig,
  HelmChartContent,
  InTotoLayer,
  NotarySignature,
  OCI1ArtifactManifestRC,
  OCI1Config,
  SigstoreBundlePrefix,
  SpdxJson,
  SpdxText,
  SpdxTextJson,
  SyftJson,
  normalizeMediaType,
} from './media-types.js';
import type { Descriptor, ImageManifest, IndexManifest, Manifest } from './model.js';
import type { ArtifactKind } from './verdict-types.js';

/** cosign's tag scheme: `sha256-<hex of the subject digest>.sig|.att|.sbom`. */
const cosignTagPattern = /^sha(?:256|512)-[a-f0-9]{64,128}\.(sig|att|sbom)$/;
const cosignTagKinds: Readonly<Record<string, ArtifactKind>> = {
  sig: 'signature',
  att: 'attestation',
  sbom: 'sbom',
};

/** The annotation cosign sets on a sigstore bundle referrer, and its value for signatures. */
export const SigstorePredicateTypeAnnotation = 'dev.sigstore.bundle.predicateType';
export const CosignSignPredicateType = 'https://sigstore.dev/cosign/sign/v1';

const typeKinds: ReadonlyMap<string, ArtifactKind> = new Map([
  [NotarySignature, 'signature'],
  [CosignSignatureArtifact, 'signature'],
  [CosignSimpleSigningLayer, 'signature'],
  [InTotoLayer, 'attestation'],
  [DsseEnvelope, 'attestation'],
  [CosignAttestationArtifact, 'attestation'],
  [DockerAttestationManifest, 'attestation'],
  [CosignSbomArtifact, 'sbom'],
  [SpdxJson, 'sbom'],
  [SpdxText, 'sbom'],
  [SpdxTextJson, 'sbom'],
  [CosignSpdxJson, 'sbom'],
  [CycloneDx, 'sbom'],
  [CycloneDxJson, 'sbom'],
  [CycloneDxXml, 'sbom'],
  [SyftJson, 'sbom'],
  [HelmChartConfig, 'helm-chart'],
  [HelmChartContent, 'helm-chart'],
  [BuildKitCacheConfig, 'buildkit-cache'],
]);

const imageConfigTypes: ReadonlySet<string> = new Set([Docker2Config, OCI1Config]);

/** What an artifact type, config type or layer type says, if it is one this app knows. */
export function artifactKindOfType(
  mediaType: string | undefined,
  annotations?: Readonly<Record<string, string>>,
): ArtifactKind | undefined {
  const type = normalizeMediaType(mediaType);
  if (type.startsWith(SigstoreBundlePrefix)) {
    // A bundle holds either a signature or an attestation; cosign names which in an annotation.
    const predicate = annotations?.[SigstorePredicateTypeAnnotation];
    return predicate === CosignSignPredicateType ? 'signature' : 'attestation';
  }
  return typeKinds.get(type);
}

/** The artifact kind of a manifest, or undefined for an image, an image index or schema 1. */
export function artifactKind(manifest: Manifest, tag?: string): ArtifactKind | undefined {
  if (manifest.form === 'schema1') return undefined;
  if (manifest.form === 'index') return indexArtifactKind(manifest);
  return imageArtifactKind(manifest, tag);
}

export function isArtifact(manifest: Manifest, tag?: string): boolean {
  return artifactKind(manifest, tag) !== undefined;
}

function imageArtifactKind(manifest: ImageManifest, tag?: string): ArtifactKind | undefined {
  const tagged = tag === undefined ? undefined : cosignTagPattern.exec(tag)?.[1];
  if (tagged !== undefined) return cosignTagKinds[tagged];

  const config = normalizeMediaType(manifest.config.mediaType);
  const imageConfig = imageConfigTypes.has(config);
  // OCI 1.1: with no artifactType, the config media type is the artifact's type.
  const declared = manifest.artifactType ?? (imageConfig ? undefined : config);
  const byType = artifactKindOfType(declared, manifest.annotations);
  if (byType !== undefined) return byType;

  const byLayer = firstKnown(manifest.layers);
  if (byLayer !== undefined) return byLayer;

  if (manifest.artifactType !== undefined) return referrerKind(manifest.subject);
  if (normalizeMediaType(manifest.mediaType) === OCI1ArtifactManifestRC) {
    return referrerKind(manifest.subject);
  }
  return imageConfig ? undefined : 'other';
}

function indexArtifactKind(index: IndexManifest): ArtifactKind | undefined {
  if (index.artifactType !== undefined) {
    return artifactKindOfType(index.artifactType, index.annotations) ?? referrerKind(index.subject);
  }
  // BuildKit's registry cache (default, image-manifest=false) lists blobs, not manifests.
  const types = index.manifests.map((entry) => normalizeMediaType(entry.mediaType));
  if (types.includes(BuildKitCacheConfig)) return 'buildkit-cache';

  // The referrers tag schema: an index of artifacts only, each with its artifactType.
  const entries = index.manifests;
  if (entries.length === 0 || entries.some((e) => e.artifactType === undefined)) return undefined;
  const kinds = new Set(entries.map((e) => artifactKindOfType(e.artifactType, e.annotations)));
  const [only] = kinds;
  return kinds.size === 1 && only !== undefined ? only : 'other';
}

/**
 * An unknown artifactType on a manifest with a `subject` describes that subject, which is
 * what DESIGN.md calls an attestation; without a subject it is just some other artifact.
 */
function referrerKind(subject: Descriptor | undefined): ArtifactKind {
  return subject === undefined ? 'other' : 'attestation';
}

function firstKnown(layers: readonly Descriptor[]): ArtifactKind | undefined {
  for (const layer of layers) {
    const kind = artifactKindOfType(layer.mediaType, layer.annotations);
    if (kind !== undefined) return kind;
  }
  return undefined;
}
