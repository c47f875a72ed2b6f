/**
 * Fills the shared registry with a few hundred tags of mixed kinds for the ops tests: every
 * pushable catalogue fixture, in several repositories, under several tags each. Pushed
 * straight to docker-registry, so no event is ever raised for them.
 */
import type { ManifestBlob } from '../../src/domain/model.js';
import type { Status } from '../../src/domain/verdict-types.js';
import { catalogue, pushOrder, type ManifestFixture } from '../fixtures/manifests.js';
import { PushClient } from '../support/push.js';

export interface SeededTag {
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
  readonly fixture: string;
  /** The verdict under the default policy (strict). */
  readonly status: Status;
  readonly kind: string;
}

/**
 * Fixtures a scan can find by tag. Left out: what distribution refuses (schema 1, layers with
 * urls) and cosign artifacts, whose tag must be `sha256-<hex>.sig` to be recognised.
 */
export const seedFixtures: readonly ManifestFixture[] = catalogue.filter(
  (f) => f.pushable && !f.foreignUrls && !f.name.startsWith('cosign-'),
);

export interface SeedOptions {
  /** docker-registry's URL (https://127.0.0.1:PORT): no auth, no events. */
  readonly registryUrl: string;
  /** Repositories are `${prefix}/r0`, `${prefix}/r1`, ... */
  readonly prefix: string;
  readonly repositories: number;
  readonly tagsPerFixture: number;
  readonly fixtures?: readonly ManifestFixture[];
}

export async function seedRegistry(options: SeedOptions): Promise<SeededTag[]> {
  const client = new PushClient({ url: options.registryUrl });
  const fixtures = options.fixtures ?? seedFixtures;
  const names = Array.from({ length: options.repositories }, (_, i) => `${options.prefix}/r${i}`);
  const [first, ...rest] = names;
  if (first === undefined) return [];
  // The first repository uploads every blob; the others mount them (one request each).
  const seeded = await seedRepository(client, first, undefined, fixtures, options.tagsPerFixture);
  const others = await Promise.all(
    rest.map((name) => seedRepository(client, name, first, fixtures, options.tagsPerFixture)),
  );
  return [...seeded, ...others.flat()];
}

async function seedRepository(
  client: PushClient,
  repository: string,
  mountFrom: string | undefined,
  fixtures: readonly ManifestFixture[],
  tagsPerFixture: number,
): Promise<SeededTag[]> {
  const tags: SeededTag[] = [];
  for (const fixture of fixtures) {
    const order = pushOrder(fixture);
    for (const blob of order.blobs) {
      if (mountFrom === undefined) await client.pushBlob(repository, blob.content);
      else await mount(client, repository, blob.digest, mountFrom);
    }
    for (const manifest of order.manifests)
      await put(client, repository, manifest.digest, manifest);
    for (let k = 1; k <= tagsPerFixture; k++) {
      const tag = `${order.tag}-${k}`;
      const digest = await put(client, repository, tag, order.top);
      tags.push({
        repository,
        tag,
        digest,
        fixture: fixture.name,
        status: fixture.expected.strict,
        kind: fixture.expected.kind,
      });
    }
  }
  return tags;
}

function put(
  client: PushClient,
  repository: string,
  reference: string,
  manifest: ManifestBlob,
): Promise<string> {
  return client.pushManifest(repository, reference, manifest.content, manifest.mediaType);
}

/** Cross-repository blob mount (distribution spec): 201 when the source has the blob. */
async function mount(
  client: PushClient,
  repository: string,
  digest: string,
  from: string,
): Promise<void> {
  const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const response = await client.send(
    'POST',
    `/v2/${repository}/blobs/uploads/?${query}`,
    repository,
  );
  if (response.status !== 201) {
    throw new Error(`mount ${digest} from ${from} into ${repository}: got ${response.status}`);
  }
}

/** Expected counts by status, as `report --format json` totals them. */
export function countByStatus(tags: readonly SeededTag[]): Record<Status, number> {
  const counts: Record<Status, number> = { compliant: 0, noncompliant: 0, exempt: 0, error: 0 };
  for (const tag of tags) counts[tag.status]++;
  return counts;
}
