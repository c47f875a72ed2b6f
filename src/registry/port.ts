/**
 * The registry port: what the use cases need from a registry. The ACR adapter implements it
 * over @azure/container-registry; tests run it against docker-registry plus the ACR emulator.
 */
import type { Descriptor, ManifestBlob } from '../domain/model.js';

/** ACR's per-manifest (and per-tag) attributes; only readEnabled=false stops pulls. */
export interface ManifestAttributes {
  readonly readEnabled: boolean;
  readonly writeEnabled: boolean;
  readonly deleteEnabled: boolean;
  readonly listEnabled: boolean;
}

export interface TagInfo {
  readonly name: string;
  readonly digest: string;
  readonly lastUpdatedOn?: string;
}

export interface RegistryPort {
  readonly registry: string;
  /** Fetches a manifest by digest (preferred) or tag, accepting all four manifest types. */
  getManifest(repository: string, tagOrDigest: string): Promise<ManifestBlob>;
  /** Pushes exact bytes with Content-Type `mediaType`; returns the digest of those bytes. */
  putManifest(
    repository: string,
    content: Uint8Array,
    mediaType: string,
    tag?: string,
  ): Promise<string>;
  /** The digest a tag points to now, or undefined when the tag does not exist. */
  resolveTag(repository: string, tag: string): Promise<string | undefined>;
  getManifestAttributes(repository: string, digest: string): Promise<ManifestAttributes>;
  setManifestAttributes(
    repository: string,
    digest: string,
    attributes: Partial<ManifestAttributes>,
  ): Promise<void>;
  /**
   * The manifests whose `subject` is `digest` (OCI distribution 1.1 referrers API), as
   * descriptors with their artifactType and annotations: signatures, SBOMs, attestations.
   * Undefined when the registry has no referrers API (distribution 2.8), unlike [] for none.
   */
  listReferrers(repository: string, digest: string): Promise<readonly Descriptor[] | undefined>;
  listRepositories(): AsyncIterable<string>;
  listTags(repository: string): AsyncIterable<TagInfo>;
}

/** A registry answered, but said no for good: not found, forbidden, refused content. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly transient: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
