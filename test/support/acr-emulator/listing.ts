/**
 * Pieces every /acr/v1 handler shares: the handler signature, path parts, attribute bodies,
 * ordering and ACR's paging (`n`, `last`, and a relative `Link: <...>; rel="next"`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, notFound, sendJson } from './http.js';
import type { Inventory } from './inventory.js';
import type { RequestTarget } from './paths.js';
import { attributeNames, type Attributes, type EmulatorState } from './state.js';
import type { Upstream } from './upstream.js';

export interface AcrApiContext {
  readonly host: string;
  readonly state: EmulatorState;
  readonly upstream: Upstream;
  readonly inventory: Inventory;
}

export type Handler = (
  context: AcrApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) => Promise<void>;

/** ACR's page size when `n` is not given. */
const defaultPageSize = 100;

export function repositoryOf(target: RequestTarget): string {
  if (!target.repository) throw badRequest(`no repository in ${target.path}`);
  return target.repository;
}

export function referenceOf(target: RequestTarget): string {
  if (!target.reference) throw badRequest(`no tag or digest in ${target.path}`);
  return target.reference;
}

export function unknownRepository(repository: string) {
  return notFound('NAME_UNKNOWN', `repository name "${repository}" not known to registry`);
}

export function parseAttributes(body: unknown): Partial<Attributes> {
  if (typeof body !== 'object' || body === null) {
    throw badRequest('expected a JSON object of attributes');
  }
  const changes: { -readonly [K in keyof Attributes]?: boolean } = {};
  for (const name of attributeNames) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'boolean') {
      throw badRequest(`${name}: expected true or false, got ${JSON.stringify(value)}`);
    }
    changes[name] = value;
  }
  return changes;
}

/** orderby=timedesc|timeasc sorts by lastUpdateTime; otherwise by the listing's key. */
export function order<T extends Times>(
  items: T[],
  key: (item: T) => string,
  query: URLSearchParams,
): T[] {
  const orderby = query.get('orderby');
  const byKey = (a: T, b: T) => key(a).localeCompare(key(b));
  const byTime = (a: T, b: T) => a.lastUpdateTime.localeCompare(b.lastUpdateTime) || byKey(a, b);
  if (orderby === 'timeasc') return [...items].sort(byTime);
  if (orderby === 'timedesc') return [...items].sort((a, b) => byTime(b, a));
  return [...items].sort(byKey);
}

interface Times {
  readonly lastUpdateTime: string;
}

export interface Page<T> {
  readonly items: T[];
  /** `last` and `n` for the next page, when there is one. */
  readonly next?: { last: string; n: number };
}

export function paginate<T>(items: T[], key: (item: T) => string, query: URLSearchParams): Page<T> {
  const n = pageSize(query.get('n'));
  const last = query.get('last');
  const start = last ? startAfter(items, key, last) : 0;
  const pageItems = items.slice(start, start + n);
  const lastItem = pageItems[pageItems.length - 1];
  const more = start + n < items.length;
  return { items: pageItems, ...(more && lastItem ? { next: { last: key(lastItem), n } } : {}) };
}

/** Right after the item keyed `last`; when it is gone, after where it would sort. */
function startAfter<T>(items: T[], key: (item: T) => string, last: string): number {
  const exact = items.findIndex((item) => key(item) === last);
  if (exact >= 0) return exact + 1;
  const later = items.findIndex((item) => key(item) > last);
  return later >= 0 ? later : items.length;
}

function pageSize(value: string | null): number {
  if (value === null || value === '') return defaultPageSize;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw badRequest(`n: expected a positive integer, got "${value}"`);
  }
  return n;
}

export function linkHeader(
  path: string,
  next: Page<unknown>['next'],
  target: RequestTarget,
  ordered = false,
) {
  if (!next) return {};
  const params = [`last=${encodeURIComponent(next.last)}`, `n=${next.n}`];
  if (ordered) params.push(`orderby=${target.query.get('orderby') ?? ''}`);
  const digest = target.query.get('digest');
  if (digest) params.push(`digest=${encodeURIComponent(digest)}`);
  return { Link: `<${path}?${params.join('&')}>; rel="next"` };
}

/**
 * Sends one page of a repository listing as ACR does: `{registry, imageName, <field>: [...]}`
 * ordered by `orderby` or the key, paged by `n` and `last`, with a Link header to the next.
 */
export function sendRepositoryPage<T extends Times>(
  res: ServerResponse,
  context: AcrApiContext,
  target: RequestTarget,
  listing: {
    readonly repository: string;
    readonly route: '_tags' | '_manifests';
    readonly field: 'tags' | 'manifests';
    readonly items: T[];
    readonly key: (item: T) => string;
    readonly toJson: (item: T) => unknown;
  },
): void {
  const { repository, route, field, items, key, toJson } = listing;
  const page = paginate(order(items, key, target.query), key, target.query);
  const path = `/acr/v1/${encodeURIComponent(repository)}/${route}`;
  sendJson(
    res,
    200,
    { registry: context.host, imageName: repository, [field]: page.items.map(toJson) },
    linkHeader(path, page.next, target, true),
  );
}
