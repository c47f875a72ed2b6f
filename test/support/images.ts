/**
 * Small, real images for tests: a gzipped tar layer with one file, a config whose diff_ids
 * match it, and an OCI or Docker v2 manifest (or index/list) over them. Deterministic: the
 * same options give the same bytes, hence the same digests.
 */
import { gzipSync } from 'node:zlib';
import {
  Docker2Config,
  Docker2LayerGzip,
  Docker2Manifest,
  Docker2ManifestList,
  OCI1Config,
  OCI1Index,
  OCI1LayerGzip,
  OCI1Manifest,
} from '../../src/domain/media-types.js';
import { sha256, type PushClient } from './push.js';

export type ImageFormat = 'oci' | 'docker';

export interface ImageOptions {
  /** Content of the one file in the layer; vary it to get distinct images. */
  readonly content?: string;
  readonly architecture?: string;
  readonly os?: string;
}

export interface PushedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly bytes: Buffer;
  readonly platform?: { readonly architecture: string; readonly os: string };
}

const types = {
  oci: { manifest: OCI1Manifest, index: OCI1Index, config: OCI1Config, layer: OCI1LayerGzip },
  docker: {
    manifest: Docker2Manifest,
    index: Docker2ManifestList,
    config: Docker2Config,
    layer: Docker2LayerGzip,
  },
} as const;

/** Pushes config, layer and manifest; tags the manifest when `reference` is a tag. */
export async function pushImage(
  client: PushClient,
  repository: string,
  reference: string | undefined,
  format: ImageFormat,
  options: ImageOptions = {},
): Promise<PushedManifest> {
  const { architecture = 'amd64', os = 'linux', content = `hello from ${repository}\n` } = options;
  const tar = tarFile('hello.txt', Buffer.from(content));
  const layer = await client.pushBlob(repository, gzipSync(tar));
  const config = Buffer.from(
    JSON.stringify({
      architecture,
      os,
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    }),
  );
  const configBlob = await client.pushBlob(repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types[format].manifest,
      config: { mediaType: types[format].config, ...configBlob },
      layers: [{ mediaType: types[format].layer, ...layer }],
    }),
  );
  return pushBytes(client, repository, reference, manifest, types[format].manifest, {
    architecture,
    os,
  });
}

/** Pushes an index (OCI) or manifest list (Docker) over already pushed images. */
export async function pushIndex(
  client: PushClient,
  repository: string,
  reference: string | undefined,
  format: ImageFormat,
  children: readonly PushedManifest[],
): Promise<PushedManifest> {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: types[format].index,
      manifests: children.map((child) => ({
        mediaType: child.mediaType,
        digest: child.digest,
        size: child.size,
        ...(child.platform ? { platform: child.platform } : {}),
      })),
    }),
  );
  return pushBytes(client, repository, reference, manifest, types[format].index);
}

async function pushBytes(
  client: PushClient,
  repository: string,
  reference: string | undefined,
  bytes: Buffer,
  mediaType: string,
  platform?: PushedManifest['platform'],
): Promise<PushedManifest> {
  const digest = await client.pushManifest(
    repository,
    reference ?? sha256(bytes),
    bytes,
    mediaType,
  );
  return { digest, mediaType, size: bytes.length, bytes, ...(platform ? { platform } : {}) };
}

/** A ustar archive holding one regular file, with fixed owner and times. */
export function tarFile(name: string, content: Buffer): Buffer {
  const head = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) =>
    head.write(value.padEnd(length, '\0').slice(0, length), offset, 'ascii');
  const octal = (value: number, length: number) => value.toString(8).padStart(length - 1, '0');

  field(0, 100, name);
  field(100, 8, octal(0o644, 8));
  field(108, 8, octal(0, 8));
  field(116, 8, octal(0, 8));
  field(124, 12, octal(content.length, 12));
  field(136, 12, octal(0, 12));
  field(148, 8, ' '.repeat(8)); // checksum counts its own field as spaces
  field(156, 1, '0');
  field(257, 8, 'ustar\x0000');
  const checksum = head.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${octal(checksum, 7)}\0 `);

  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([head, content, padding, Buffer.alloc(1024)]);
}
