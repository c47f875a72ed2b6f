/**
 * The OCI distribution 1.1 referrers API (`GET /v2/<name>/referrers/<digest>`): which manifests
 * name a digest as their `subject`. ACR serves it; distribution 2.8 does not (404), and
 * @azure/container-registry 1.1.2 has no method for it, so the request goes through the SDK's
 * own authenticated pipeline and the answer is checked here as untrusted input.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { ContainerRegistryContentClient } from '@azure/container-registry';
import {
  createHttpHeaders,
  createPipelineRequest,
  RestError,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import {
  ManifestError,
  maxDescriptors,
  maxManifestBytes,
  parseManifest,
} from '../domain/manifest.js';
import { OCI1Index } from '../domain/media-types.js';
import type { Descriptor } from '../domain/model.js';
import { RegistryError } from './port.js';

/** What sends a request through the SDK's pipeline: @azure/core-client's ServiceClient. */
export interface RequestSender {
  sendRequest(request: PipelineRequest): Promise<PipelineResponse>;
}

export interface ReferrersRequest {
  /** https://<login server> */
  readonly endpoint: string;
  readonly repository: string;
  readonly digest: string;
  readonly abortSignal?: AbortSignal;
}

/**
 * Bounds on one lookup. A page is an index, so the manifest limits apply to it (4 MiB, 1000
 * entries); the same 1000 bounds all pages together. Real images carry a handful of
 * referrers: more is crafted, and a truncated list could hide a signature.
 */
export const referrersLimits = {
  maxPageBytes: maxManifestBytes,
  maxDescriptors,
  maxPages: 20,
} as const;

/**
 * The SDK's ServiceClient behind a content client. It is the non-public field `client`: the
 * only object that carries ACR's auth (401 challenge, /oauth2/exchange, /oauth2/token) plus
 * the retry and logging policies the other calls get. Checked, since a new SDK may move it.
 */
export function senderOf(content: ContainerRegistryContentClient): RequestSender {
  const client = (content as unknown as { client?: Partial<RequestSender> }).client;
  if (typeof client?.sendRequest !== 'function') {
    throw new RegistryError(
      'list referrers: expected @azure/container-registry 1.1 (ContainerRegistryContentClient ' +
        'with a ServiceClient in its "client" field), got a client without one',
      undefined,
      false,
    );
  }
  return client as RequestSender;
}

/**
 * Every referrer of `digest`, following `Link: <...>; rel="next"` pages; undefined when the
 * registry has no referrers API. Per the distribution spec a registry with the API never
 * answers 404 (an unknown subject gets an empty index), so a 404 means "no API", unless it
 * names an unknown repository (NAME_UNKNOWN), as oras-go reads it too.
 */
export async function listReferrers(
  sender: RequestSender,
  request: ReferrersRequest,
): Promise<readonly Descriptor[] | undefined> {
  const where = whereOf(request);
  const descriptors: Descriptor[] = [];
  let url: string | undefined = referrersUrl(request);

  for (let page = 1; url !== undefined; page++) {
    if (page > referrersLimits.maxPages) {
      throw refused(where, `expected at most ${referrersLimits.maxPages} pages, got more`);
    }
    const response = await sender.sendRequest(pageRequest(url, request.abortSignal));
    if (response.status === 404) return notFound(response, where);
    if (response.status !== 200) throw statusError(response, where);

    const content = await readBounded(response, where);
    descriptors.push(...parseReferrersIndex(content, response.headers.get('content-type'), where));
    if (descriptors.length > referrersLimits.maxDescriptors) {
      const limit = referrersLimits.maxDescriptors;
      throw refused(where, `expected at most ${limit} referrers, got more`);
    }
    url = nextPage(response.headers.get('link'), url, request.endpoint, where);
  }
  return descriptors;
}

/**
 * The descriptors of one referrers answer, which must be an OCI image index. The manifest
 * parser checks it (size, nesting, JSON, every descriptor field), as it does pulled manifests.
 */
export function parseReferrersIndex(
  content: Uint8Array,
  contentType: string | undefined,
  where: string,
): Descriptor[] {
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  let index;
  try {
    index = parseManifest({ digest, mediaType: contentType ?? '', content });
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    throw refused(where, `expected an OCI image index, got: ${err.message}`, err);
  }
  if (index.form !== 'index' || index.mediaType !== OCI1Index) {
    throw refused(where, `expected an OCI image index (${OCI1Index}), got ${index.mediaType}`);
  }
  return [...index.manifests];
}

function whereOf(request: ReferrersRequest): string {
  return `${new URL(request.endpoint).host}/${request.repository}@${request.digest}`;
}

function referrersUrl(request: ReferrersRequest): string {
  const name = request.repository.split('/').map(encodeURIComponent).join('/');
  return `${request.endpoint}/v2/${name}/referrers/${request.digest}`;
}

function pageRequest(url: string, abortSignal: AbortSignal | undefined): PipelineRequest {
  return createPipelineRequest({
    url,
    method: 'GET',
    headers: createHttpHeaders({ Accept: OCI1Index }),
    // Streamed, so an oversized answer is cut off instead of read whole into memory.
    streamResponseStatusCodes: new Set([200]),
    ...(abortSignal !== undefined ? { abortSignal } : {}),
  });
}

function notFound(response: PipelineResponse, where: string): undefined {
  if (!errorCodes(response.bodyAsText).includes('NAME_UNKNOWN')) return undefined;
  throw new RestError(`referrers of ${where}: repository not found (NAME_UNKNOWN)`, {
    statusCode: 404,
    code: 'NAME_UNKNOWN',
    request: response.request,
    response,
  });
}

/** An error status in the SDK's own shape, so callers classify it like any other call's. */
function statusError(response: PipelineResponse, where: string): RestError {
  const codes = errorCodes(response.bodyAsText);
  const said = codes.length > 0 ? ` (${codes.join(', ')})` : '';
  return new RestError(
    `referrers of ${where}: expected 200 or 404, got ${response.status}${said}`,
    { statusCode: response.status, request: response.request, response },
  );
}

/** The `code`s of a distribution error body, `{"errors":[{"code": ...}]}`; none if not one. */
function errorCodes(body: string | null | undefined): string[] {
  try {
    const parsed = JSON.parse(body ?? '') as { errors?: unknown };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors
      .map((error: unknown) => (error as { code?: unknown } | null)?.code)
      .filter((code): code is string => typeof code === 'string');
  } catch {
    return [];
  }
}

async function readBounded(response: PipelineResponse, where: string): Promise<Uint8Array> {
  const limit = referrersLimits.maxPageBytes;
  const declared = Number(response.headers.get('content-length') ?? '0');
  const stream = response.readableStreamBody;
  if (stream === undefined) throw refused(where, 'expected an OCI image index, got no body');
  if (declared > limit) {
    // A Node IncomingMessage underneath: destroying it drops the connection unread.
    (stream as { destroy?: () => void }).destroy?.();
    throw refused(where, `expected at most ${limit} bytes, got ${declared} (Content-Length)`);
  }

  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early (the throw) destroys the stream, which drops the connection.
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > limit) throw refused(where, `expected at most ${limit} bytes, got more`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * The next page from a `Link` header (RFC 8288), resolved against the current one. It must
 * stay on the registry: the token the pipeline attaches is for this registry alone.
 */
function nextPage(
  link: string | undefined,
  current: string,
  endpoint: string,
  where: string,
): string | undefined {
  const target = link ? /<([^>]*)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
  if (target === undefined) return undefined;
  let next: URL;
  try {
    next = new URL(target, current);
  } catch (err) {
    throw refused(where, `expected a URL in the Link header, got "${target}"`, err);
  }
  if (next.origin !== new URL(endpoint).origin) {
    throw refused(where, `expected the next page on ${endpoint}, got ${next.origin}`);
  }
  return next.href;
}

/** The registry answered, but not with something to trust: retrying cannot change it. */
function refused(where: string, problem: string, cause?: unknown): RegistryError {
  const options = cause === undefined ? undefined : { cause };
  return new RegistryError(`referrers of ${where}: ${problem}`, undefined, false, options);
}
