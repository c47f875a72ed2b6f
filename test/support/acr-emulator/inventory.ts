/**
 * A repository as ACR's metadata API sees it: facts from the real registry (tags, what they
 * resolve to, what the manifests hold) joined with the attributes and timestamps the
 * emulator keeps. Untagged manifests are known only when pushed through the emulator or
 * referenced by an index; distribution cannot list them.
 */
import type { Attributes, EmulatorState, Times } from './state.js';
import type { ManifestFacts, Upstream } from './upstream.js';

export interface TagView extends Times {
  readonly name: string;
  readonly digest: string;
  readonly attributes: Attributes;
}

export interface ManifestView extends Times {
  readonly facts: ManifestFacts;
  readonly tags: readonly string[];
  readonly attributes: Attributes;
}

export class Inventory {
  constructor(
    private readonly state: EmulatorState,
    private readonly upstream: Upstream,
  ) {}

  /** Every tag with its digest, or undefined when the repository does not exist. */
  async tags(repository: string): Promise<TagView[] | undefined> {
    const names = await this.upstream.tags(repository);
    if (!names) return undefined;
    const views = await Promise.all(names.map((name) => this.tag(repository, name)));
    return views.filter((view): view is TagView => view !== undefined);
  }

  async tag(repository: string, name: string): Promise<TagView | undefined> {
    const digest = await this.upstream.resolve(repository, name);
    if (!digest) return undefined;
    const times = this.state.tagSeen(repository, name, digest);
    return { name, digest, ...pickTimes(times), attributes: this.state.tag(repository, name) };
  }

  /** Every manifest known in the repository, or undefined when it does not exist. */
  async manifests(repository: string): Promise<ManifestView[] | undefined> {
    const tags = await this.tags(repository);
    if (!tags) return undefined;
    const digests = new Set([
      ...tags.map((tag) => tag.digest),
      ...this.state.pushedDigests(repository),
    ]);
    const views: ManifestView[] = [];
    const visit = async (digest: string): Promise<void> => {
      const view = await this.view(repository, digest, tags);
      if (!view) return;
      views.push(view);
      for (const child of view.facts.references ?? []) {
        if (!digests.has(child.digest)) {
          digests.add(child.digest);
          await visit(child.digest);
        }
      }
    };
    for (const digest of [...digests]) await visit(digest);
    return views;
  }

  /** One manifest by digest, with the tags that point at it now. */
  async manifest(repository: string, digest: string): Promise<ManifestView | undefined> {
    const tags = (await this.tags(repository)) ?? [];
    return this.view(repository, digest, tags);
  }

  private async view(
    repository: string,
    digest: string,
    tags: readonly TagView[],
  ): Promise<ManifestView | undefined> {
    const facts = await this.upstream.manifest(repository, digest);
    if (!facts) {
      this.state.manifestDeleted(repository, digest);
      return undefined;
    }
    return {
      facts,
      ...pickTimes(this.state.manifestSeen(repository, digest)),
      tags: tags.filter((tag) => tag.digest === digest).map((tag) => tag.name),
      attributes: this.state.manifest(repository, digest),
    };
  }
}

function pickTimes(times: Times): Times {
  return { createdTime: times.createdTime, lastUpdateTime: times.lastUpdateTime };
}
