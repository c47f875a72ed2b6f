/**
 * The manifest model: what the app understands of a manifest after parsing. Parsing lives in
 * manifest.ts; this file holds only the shapes, so every layer can share them.
 */

export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
  /** Embedded content, base64 (OCI 1.1). */
  readonly data?: string;
}

/** A single-image manifest: Docker v2 or OCI image manifest (artifacts included). */
export interface ImageManifest {
  readonly form: 'image';
  /** The registry's Content-Type, normalized. */
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A Docker manifest list or an OCI image index. */
export interface IndexManifest {
  readonly form: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Docker schema 1, deprecated; kept only so it can be named in a verdict. */
export interface Schema1Manifest {
  readonly form: 'schema1';
  readonly mediaType: string;
  readonly name?: string;
  readonly tag?: string;
  readonly layerCount: number;
}

export type Manifest = ImageManifest | IndexManifest | Schema1Manifest;

/** Raw manifest bytes as a registry served them. */
export interface ManifestBlob {
  readonly digest: string;
  /** The registry's Content-Type header, as sent. */
  readonly mediaType: string;
  readonly content: Uint8Array;
}
