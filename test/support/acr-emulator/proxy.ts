/**
 * /v2/** goes to the real registry: bodies streamed both ways, headers kept (bar hop-by-hop
 * ones and our bearer token). ACR sends relative Location headers and the SDK's uploadBlob
 * depends on that (it strips the first character and appends the rest to the endpoint), so
 * distribution's absolute Locations are made relative, which also points them back here.
 *
 * Before forwarding, ACR's locks apply: a manifest (or tag, or repository) with
 * readEnabled=false cannot be pulled, and writeEnabled/deleteEnabled=false refuse overwrites
 * and deletes.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:https';
import { isDigest } from '../../../src/domain/reference.js';
import { denied } from './http.js';
import { upstreamPath, type RequestTarget } from './paths.js';
import type { EmulatorState } from './state.js';
import type { Upstream } from './upstream.js';

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
]);

export async function enforceLocks(
  state: EmulatorState,
  upstream: Upstream,
  method: string,
  target: RequestTarget,
): Promise<void> {
  const { repository, reference } = target;
  if (target.route !== 'manifest' || !repository || !reference) return;
  const repo = state.repository(repository);

  if (method === 'GET' || method === 'HEAD') {
    if (!state.hasReadLocks(repository)) return;
    const digest = isDigest(reference) ? reference : await upstream.resolve(repository, reference);
    const tagLocked = !isDigest(reference) && !state.tag(repository, reference).readEnabled;
    const manifestLocked = digest !== undefined && !state.manifest(repository, digest).readEnabled;
    if (!repo.readEnabled || tagLocked || manifestLocked) {
      throw denied(`read of ${repository}@${digest ?? reference} is disabled (readEnabled=false)`);
    }
  } else if (method === 'PUT') {
    const tagLocked = !isDigest(reference) && !state.tag(repository, reference).writeEnabled;
    if (!repo.writeEnabled || tagLocked) {
      throw denied(`write of ${repository}:${reference} is disabled (writeEnabled=false)`);
    }
  } else if (method === 'DELETE') {
    const attributes = state.manifest(repository, reference);
    const locked = !attributes.deleteEnabled || !attributes.writeEnabled;
    if (!repo.deleteEnabled || locked) {
      throw denied(`delete of ${repository}@${reference} is disabled (deleteEnabled/writeEnabled)`);
    }
  }
}

export function forward(
  state: EmulatorState,
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${upstream.url}${upstreamPath(target)}`,
      { method: req.method, headers: requestHeaders(req.headers), agent: upstream.agent },
      (incoming) => {
        const status = incoming.statusCode ?? 502;
        remember(state, req.method ?? '', target, status, incoming.headers);
        res.writeHead(status, responseHeaders(incoming.headers, upstream.url));
        incoming.pipe(res);
        incoming.on('end', resolve);
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    req.pipe(outgoing);
  });
}

function requestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name)));
}

function responseHeaders(headers: IncomingHttpHeaders, upstreamUrl: string): IncomingHttpHeaders {
  const kept = requestHeaders(headers);
  const location = kept.location;
  if (typeof location === 'string' && location.startsWith(upstreamUrl)) {
    kept.location = location.slice(upstreamUrl.length);
  }
  return kept;
}

/** Pushes and deletes through the emulator update what ACR would know about them. */
function remember(
  state: EmulatorState,
  method: string,
  target: RequestTarget,
  status: number,
  headers: IncomingHttpHeaders,
): void {
  const { repository, reference } = target;
  if (target.route !== 'manifest' || !repository || !reference) return;
  const digest = headers['docker-content-digest'];
  if (method === 'PUT' && status === 201 && typeof digest === 'string') {
    state.manifestPushed(repository, digest, isDigest(reference) ? undefined : reference);
  } else if (method === 'DELETE' && status === 202) {
    state.manifestDeleted(repository, reference);
  }
}
