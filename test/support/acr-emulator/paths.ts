/**
 * Classifies a request to the emulator: which route, which repository and reference, and
 * which token scope ACR would demand for it.
 *
 * The Azure SDK percent-encodes the repository name as one path segment
 * (`/acr/v1/library%2Fhello/_tags`, `/v2/library%2Fhello/manifests/sha256%3A...`), as ACR
 * accepts; other clients send plain slashes. Segments are decoded before matching, so both
 * read the same.
 */

export type Route =
  | 'v2-base'
  | 'v2-catalog'
  | 'manifest'
  | 'blob'
  | 'blob-upload'
  | 'tags-list'
  | 'referrers'
  | 'acr-catalog'
  | 'acr-repository'
  | 'acr-tags'
  | 'acr-tag'
  | 'acr-manifests'
  | 'acr-manifest'
  | 'oauth2-exchange'
  | 'oauth2-token'
  | 'control'
  | 'unknown';

export interface RequestTarget {
  readonly route: Route;
  /** The decoded path: repository names with plain slashes, digests with a plain colon. */
  readonly path: string;
  /** The raw query, with its leading `?`, or ''. */
  readonly search: string;
  readonly query: URLSearchParams;
  readonly repository?: string;
  /** Tag or digest (manifests, tags) or digest/upload id (blobs). */
  readonly reference?: string;
}

/** One access entry of a token: `repository:NAME:pull,push` or `registry:catalog:*`. */
export interface Access {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

const v2Patterns: ReadonlyArray<readonly [RegExp, Route]> = [
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, 'manifest'],
  [/^\/v2\/(.+)\/blobs\/uploads\/(.*)$/, 'blob-upload'],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, 'blob'],
  [/^\/v2\/(.+)\/tags\/list$/, 'tags-list'],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, 'referrers'],
];

const acrPatterns: ReadonlyArray<readonly [RegExp, Route]> = [
  [/^\/acr\/v1\/(.+)\/_tags$/, 'acr-tags'],
  [/^\/acr\/v1\/(.+)\/_tags\/([^/]+)$/, 'acr-tag'],
  [/^\/acr\/v1\/(.+)\/_manifests$/, 'acr-manifests'],
  [/^\/acr\/v1\/(.+)\/_manifests\/([^/]+)$/, 'acr-manifest'],
  [/^\/acr\/v1\/(.+)$/, 'acr-repository'],
];

export function parseTarget(rawUrl: string): RequestTarget {
  const url = new URL(rawUrl, 'https://emulator.invalid');
  const path = decodePath(url.pathname);
  const base = { path, search: url.search, query: url.searchParams };

  const fixed = fixedRoute(path);
  if (fixed) return { ...base, route: fixed };

  const patterns = path.startsWith('/v2/') ? v2Patterns : acrPatterns;
  for (const [pattern, route] of patterns) {
    const match = pattern.exec(path);
    if (match?.[1]) return { ...base, route, repository: match[1], reference: match[2] };
  }
  return { ...base, route: 'unknown' };
}

function fixedRoute(path: string): Route | undefined {
  if (path === '/v2' || path === '/v2/') return 'v2-base';
  if (path === '/v2/_catalog') return 'v2-catalog';
  if (path === '/acr/v1/_catalog') return 'acr-catalog';
  if (path === '/oauth2/exchange') return 'oauth2-exchange';
  if (path === '/oauth2/token') return 'oauth2-token';
  if (path.startsWith('/_emulator/')) return 'control';
  if (!path.startsWith('/v2/') && !path.startsWith('/acr/v1/')) return 'unknown';
  return undefined;
}

function decodePath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/** The canonical upstream path: plain slashes in names, each segment safely re-encoded. */
export function upstreamPath(target: RequestTarget): string {
  const encoded = target.path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':'))
    .join('/');
  return `${encoded}${target.search}`;
}

/**
 * What a token must grant, as ACR's challenges name it: `login` for the /v2/ ping (any
 * valid token), nothing for the token endpoints and test controls.
 */
export function requiredAccess(method: string, target: RequestTarget): Access | 'login' | 'none' {
  const { route, repository } = target;
  if (route === 'v2-base') return 'login';
  if (route === 'v2-catalog' || route === 'acr-catalog') {
    return { type: 'registry', name: 'catalog', actions: ['*'] };
  }
  if (!repository) return 'none';

  const reading = method === 'GET' || method === 'HEAD';
  if (route.startsWith('acr-')) {
    const action = reading ? 'metadata_read' : method === 'DELETE' ? 'delete' : 'metadata_write';
    return { type: 'repository', name: repository, actions: [action] };
  }
  const actions = reading ? ['pull'] : method === 'DELETE' ? ['delete'] : ['pull', 'push'];
  return { type: 'repository', name: repository, actions };
}

/** `repository:NAME:pull,push`, the form of a challenge's scope and a token request's. */
export function formatScope(access: Access): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}

/** Parses space-separated scopes; the name may contain colons only for `registry:` forms. */
export function parseScopes(scope: string | null | undefined): Access[] {
  if (!scope) return [];
  return scope
    .split(' ')
    .filter((item) => item !== '')
    .flatMap((item) => {
      const first = item.indexOf(':');
      const last = item.lastIndexOf(':');
      if (first < 0 || last === first) return [];
      const actions = item
        .slice(last + 1)
        .split(',')
        .filter((a) => a !== '');
      return [{ type: item.slice(0, first), name: item.slice(first + 1, last), actions }];
    });
}

/** Whether granted access covers every action needed (`*` covers all). */
export function covers(granted: readonly Access[], needed: Access): boolean {
  return needed.actions.every((action) =>
    granted.some(
      (entry) =>
        entry.type === needed.type &&
        entry.name === needed.name &&
        (entry.actions.includes(action) || entry.actions.includes('*')),
    ),
  );
}
