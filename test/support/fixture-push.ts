/** Pushes a catalogue fixture to a real registry in the order a client would. */
import { pushOrder, type ManifestFixture } from '../fixtures/manifests.js';
import type { PushClient } from './push.js';

export interface PushedFixture {
  /** Manifests pushed by digest (children, subjects), in push order. */
  readonly untagged: readonly { digest: string; mediaType: string; size: number }[];
  readonly top: { digest: string; mediaType: string; size: number };
  readonly tag: string;
}

export async function pushFixture(
  client: PushClient,
  repository: string,
  fixture: ManifestFixture,
): Promise<PushedFixture> {
  const order = pushOrder(fixture);
  for (const blob of order.blobs) await client.pushBlob(repository, blob.content);
  const untagged = [];
  for (const manifest of order.manifests) {
    await client.pushManifest(repository, manifest.digest, manifest.content, manifest.mediaType);
    untagged.push(facts(manifest));
  }
  await client.pushManifest(repository, order.tag, order.top.content, order.top.mediaType);
  return { untagged, top: facts(order.top), tag: order.tag };
}

function facts(m: { digest: string; mediaType: string; content: Uint8Array }) {
  return { digest: m.digest, mediaType: m.mediaType, size: m.content.byteLength };
}
