import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isTag } from '../../../src/domain/reference.js';
import { layerInfo } from '../../../src/domain/classify.js';
import {
  Docker1ManifestSigned,
  Docker2Config,
  OCI1Config,
} from '../../../src/domain/media-types.js';
import { sha256 } from '../../fixtures/blobs.js';
import { amd64, image } from '../../fixtures/images.js';
import { catalogue, pushOrder, type ManifestFixture } from '../../fixtures/manifests.js';

interface Body {
  config?: { digest: string; size: number; mediaType: string };
  layers?: { digest: string; size: number; mediaType: string }[];
  manifests?: { digest: string; size: number }[];
}

const bodyOf = (content: Uint8Array): Body => JSON.parse(new TextDecoder().decode(content)) as Body;

/** Reads back the raw-block zstd frames the fixtures write. */
function unzstd(frame: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 9;
  for (let last = 0; last === 0;) {
    const header = frame[offset]! | (frame[offset + 1]! << 8) | (frame[offset + 2]! << 16);
    last = header & 1;
    const size = header >> 3;
    parts.push(frame.subarray(offset + 3, offset + 3 + size));
    offset += 3 + size;
  }
  return Buffer.concat(parts);
}

function plain(mediaType: string, content: Uint8Array): Uint8Array | undefined {
  const info = layerInfo(mediaType);
  if (info.encrypted || !info.known) return undefined;
  if (info.compression === 'gzip') return gunzipSync(content);
  if (info.compression === 'zstd') return unzstd(content);
  return content;
}

const imageConfigs: readonly string[] = [Docker2Config, OCI1Config];
const all = catalogue.map((f) => ({ name: f.name, f }));

describe('manifest fixtures', () => {
  it('have unique names and valid tags', () => {
    expect(new Set(catalogue.map((f) => f.name)).size).toBe(catalogue.length);
    for (const f of catalogue) expect(isTag(f.tag)).toBe(true);
  });

  it.each(all)('$name: every digest is the sha256 of its bytes', ({ f }) => {
    const { blobs, manifests, top } = pushOrder(f);
    for (const item of [...blobs, ...manifests, top])
      expect(sha256(item.content)).toBe(item.digest);
  });

  it.each(all)(
    '$name: every descriptor names a blob or child it carries, with its size',
    ({ f }) => {
      const sizes = new Map<string, number>();
      for (const item of [...f.blobs, ...f.children.values()])
        sizes.set(item.digest, item.content.byteLength);

      for (const manifest of [f.top, ...f.children.values()]) {
        if (manifest.mediaType === Docker1ManifestSigned) continue;
        const body = bodyOf(manifest.content);
        const refs = [
          ...(body.config ? [body.config] : []),
          ...(body.layers ?? []),
          ...(body.manifests ?? []),
        ];
        for (const ref of refs) expect(sizes.get(ref.digest)).toBe(ref.size);
      }
    },
  );

  it.each(all)('$name: layers unpack to the diff_ids of the config', ({ f }) => {
    const blobs = new Map(f.blobs.map((b) => [b.digest, b]));
    for (const manifest of [f.top, ...f.children.values()]) {
      const body = bodyOf(manifest.content);
      if (body.config === undefined || !imageConfigs.includes(body.config.mediaType)) continue;
      const config = JSON.parse(
        new TextDecoder().decode(blobs.get(body.config.digest)!.content),
      ) as {
        rootfs: { diff_ids: string[] };
      };
      (body.layers ?? []).forEach((layer, i) => {
        const bytes = plain(layer.mediaType, blobs.get(layer.digest)!.content);
        if (bytes !== undefined) expect(sha256(bytes)).toBe(config.rootfs.diff_ids[i]);
      });
    }
  });

  it('build the same bytes every time', () => {
    const options = {
      flavor: 'oci',
      platform: amd64,
      layers: ['gzip', 'zstd', 'encrypted'],
      seed: 's',
    } as const;
    const [a, b] = [image(options), image(options)];

    expect(b.top.digest).toBe(a.top.digest);
    expect(b.blobs.map((x) => x.digest)).toEqual(a.blobs.map((x) => x.digest));
  });

  it('push children before the list that names them', () => {
    const f: ManifestFixture = catalogue.find((x) => x.name === 'buildx-attestations')!;
    const order = pushOrder(f);

    expect(order.manifests.map((m) => m.digest).sort()).toEqual([...f.children.keys()].sort());
    expect(order.top).toBe(f.top);
  });
});
