/**
 * A per-process cache of manifests by digest. Content is addressed by its digest, so the same
 * image pushed under many tags or repositories is fetched once. Only digest lookups hit it:
 * a tag can move, a digest cannot.
 */
import type { ManifestBlob } from '../domain/model.js';
import { isDigest } from '../domain/reference.js';

export class DigestCache {
  private readonly entries = new Map<string, ManifestBlob>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly maxBytes = 64 * 1024 * 1024,
  ) {}

  get(registry: string, tagOrDigest: string): ManifestBlob | undefined {
    if (!isDigest(tagOrDigest)) return undefined;
    const key = `${registry}@${tagOrDigest}`;
    const blob = this.entries.get(key);
    if (blob) {
      // Re-insert so Map order doubles as least-recently-used order.
      this.entries.delete(key);
      this.entries.set(key, blob);
    }
    return blob;
  }

  set(registry: string, blob: ManifestBlob): void {
    const key = `${registry}@${blob.digest}`;
    if (this.entries.has(key) || blob.content.byteLength > this.maxBytes) return;
    this.entries.set(key, blob);
    this.bytes += blob.content.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.content.byteLength;
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
