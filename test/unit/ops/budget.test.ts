import { describe, expect, it } from 'vitest';
import { manualClock } from './manual-clock.js';
import type { ManifestBlob } from '../../../src/domain/model.js';
import type { RegistryPort, TagInfo } from '../../../src/registry/port.js';
import { BudgetExhaustedError, budgetedRegistry, RequestBudget } from '../../../src/scan/budget.js';

/** A registry that lists `tagCount` tags and counts what it is asked; nothing else works. */
function listingRegistry(tagCount: number) {
  const calls: string[] = [];
  const port: RegistryPort = {
    registry: 'reg.example',
    getManifest: async (repository, ref): Promise<ManifestBlob> => {
      calls.push(`get ${repository}@${ref}`);
      return { digest: ref, mediaType: 'x', content: new Uint8Array() };
    },
    putManifest: async () => 'sha256:0',
    resolveTag: async () => undefined,
    getManifestAttributes: async () => ({
      readEnabled: true,
      writeEnabled: true,
      deleteEnabled: true,
      listEnabled: true,
    }),
    setManifestAttributes: async () => {},
    listReferrers: async () => undefined,
    listRepositories: async function* () {
      yield 'a';
    },
    listTags: async function* (): AsyncIterable<TagInfo> {
      for (let i = 0; i < tagCount; i++) yield { name: `t${i}`, digest: `sha256:${i}` };
    },
  };
  return { port, calls };
}

describe('RequestBudget', () => {
  it('spaces requests evenly at the pace asked for', async () => {
    const time = manualClock();
    const budget = new RequestBudget({ maxRequests: 10, perMinute: 600, ...time });

    for (let i = 0; i < 4; i++) await budget.take('x');

    expect(time.waits).toEqual([100, 100, 100]);
    expect(budget.spent).toBe(4);
  });

  it('refuses the request after the last one, naming it', async () => {
    const budget = new RequestBudget({ maxRequests: 2, perMinute: 60_000 });
    await budget.take('one');
    await budget.take('two');

    await expect(budget.take('get manifest a@sha256:3')).rejects.toThrow(BudgetExhaustedError);
    await expect(budget.take('get manifest a@sha256:3')).rejects.toThrow(
      'request budget of 2 spent before get manifest a@sha256:3',
    );
    expect(budget.exhausted).toBe(true);
  });
});

describe('budgetedRegistry', () => {
  it('charges one request per call, before the call is made', async () => {
    const { port, calls } = listingRegistry(0);
    const budget = new RequestBudget({ maxRequests: 1, perMinute: 60_000 });
    const registry = budgetedRegistry(port, budget);

    await registry.getManifest('a', 'sha256:1');
    await expect(registry.getManifest('a', 'sha256:2')).rejects.toThrow(BudgetExhaustedError);

    expect(calls).toEqual(['get a@sha256:1']);
  });

  it.each([
    [0, 1],
    [1, 1],
    [100, 1],
    [101, 2],
    [250, 3],
  ])('charges a listing of %i tags as %i page(s) of 100', async (tags, pages) => {
    const { port } = listingRegistry(tags);
    const budget = new RequestBudget({ maxRequests: 100, perMinute: 60_000 });
    const listed: string[] = [];

    for await (const tag of budgetedRegistry(port, budget).listTags('a')) listed.push(tag.name);

    expect(listed).toHaveLength(tags);
    expect(budget.spent).toBe(pages);
  });
});
