/**
 * A budget of registry requests for one unattended run, spent at a steady pace. ACR allows
 * 10,000 data-plane reads a minute on Basic and Standard (20,000 on Premium), half of that per
 * identity, and the event function shares the identity: a sweep must stay far below.
 */
import type { ManifestBlob } from '../domain/model.js';
import type { ManifestAttributes, RegistryPort, TagInfo } from '../registry/port.js';
import { sleep, type Sleep } from './throttle.js';

/** Thrown by a budgeted registry once the run has spent its requests. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
}

/** Listing pages: ACR's `/acr/v1` and `/v2/_catalog` return up to 100 entries a page. */
const pageSize = 100;

export interface BudgetOptions {
  /** Requests the run may make in all. */
  readonly maxRequests: number;
  /** Requests a minute at most; calls wait for their turn. */
  readonly perMinute: number;
  readonly clock?: () => number;
  readonly wait?: Sleep;
}

export class RequestBudget {
  private spentCount = 0;
  private nextAt = 0;
  private readonly clock: () => number;
  private readonly wait: Sleep;

  constructor(private readonly options: BudgetOptions) {
    this.clock = options.clock ?? Date.now;
    this.wait = options.wait ?? sleep;
  }

  get spent(): number {
    return this.spentCount;
  }

  get exhausted(): boolean {
    return this.spentCount >= this.options.maxRequests;
  }

  /** Takes one request, waiting for its slot; throws once the budget is spent. */
  async take(what: string): Promise<void> {
    if (this.exhausted) {
      throw new BudgetExhaustedError(
        `request budget of ${this.options.maxRequests} spent before ${what}`,
      );
    }
    this.spentCount++;
    const interval = 60_000 / this.options.perMinute;
    const now = this.clock();
    const at = Math.max(now, this.nextAt);
    this.nextAt = at + interval;
    if (at > now) await this.wait(at - now);
  }
}

/** The registry port, with every call paid for from `budget` first. */
export function budgetedRegistry(inner: RegistryPort, budget: RequestBudget): RegistryPort {
  return {
    registry: inner.registry,
    getManifest: async (repository: string, ref: string): Promise<ManifestBlob> => {
      await budget.take(`get manifest ${inner.registry}/${repository}@${ref}`);
      return inner.getManifest(repository, ref);
    },
    putManifest: async (repository, content, mediaType, tag) => {
      await budget.take(`put manifest ${inner.registry}/${repository}`);
      return inner.putManifest(repository, content, mediaType, tag);
    },
    resolveTag: async (repository, tag) => {
      await budget.take(`get tag ${inner.registry}/${repository}:${tag}`);
      return inner.resolveTag(repository, tag);
    },
    getManifestAttributes: async (repository, digest): Promise<ManifestAttributes> => {
      await budget.take(`get attributes ${inner.registry}/${repository}@${digest}`);
      return inner.getManifestAttributes(repository, digest);
    },
    setManifestAttributes: async (repository, digest, attributes) => {
      await budget.take(`set attributes ${inner.registry}/${repository}@${digest}`);
      return inner.setManifestAttributes(repository, digest, attributes);
    },
    listReferrers: async (repository, digest) => {
      await budget.take(`list referrers ${inner.registry}/${repository}@${digest}`);
      return inner.listReferrers(repository, digest);
    },
    listRepositories: () =>
      paged(() => inner.listRepositories(), budget, `list repositories of ${inner.registry}`),
    listTags: (repository: string): AsyncIterable<TagInfo> =>
      paged(
        () => inner.listTags(repository),
        budget,
        `list tags of ${inner.registry}/${repository}`,
      ),
  };
}

/**
 * A listing costs one request per page: the first is paid before it starts, each later one as
 * its first entry arrives (so a spent budget can overrun by one page, never more).
 */
async function* paged<T>(list: () => AsyncIterable<T>, budget: RequestBudget, what: string) {
  await budget.take(what);
  let count = 0;
  for await (const item of list()) {
    if (count > 0 && count % pageSize === 0) await budget.take(what);
    count++;
    yield item;
  }
}
