/**
 * Response helpers with ACR's error shape: `{"errors":[{"code","message","detail"}]}`, the
 * AcrErrors model of the SDK's generated mappers and of distribution's own errors.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly info: ErrorInfo,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(`${status} ${info.code}: ${info.message}`);
  }
}

export const notFound = (code: string, message: string) => new HttpError(404, { code, message });
export const badRequest = (message: string) => new HttpError(400, { code: 'BAD_REQUEST', message });
/**
 * A locked image's refused operation. ACR's docs do not publish the exact answer to a pull of
 * a read-disabled manifest; we use 403 with distribution's `DENIED` code, which clients
 * (docker, skopeo, the SDK) surface as "denied" and never retry.
 */
export const denied = (message: string) => new HttpError(403, { code: 'DENIED', message });

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Docker-Distribution-Api-Version': 'registry/2.0',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { errors: [error.info] }, error.headers);
}

const bodyLimit = 1024 * 1024;

/** A small request body (forms, JSON), refused beyond 1 MiB. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > bodyLimit) throw badRequest(`request body over ${bodyLimit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest(`expected a JSON body, got "${text.slice(0, 100)}"`);
  }
}
