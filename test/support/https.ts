/**
 * One small HTTPS client for the harness (push helpers, emulator client, emulator upstream):
 * node:https with an explicit CA, whole bodies in memory. Test payloads are small; the
 * emulator's proxy streams instead and does not use this.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Agent, request } from 'node:https';

export interface HttpsRequest {
  readonly method?: string;
  readonly url: string | URL;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Uint8Array | string;
  /** PEM to trust; without it Node's default store (plus NODE_EXTRA_CA_CERTS) applies. */
  readonly ca?: string;
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

export interface HttpsResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export function httpsRequest(options: HttpsRequest): Promise<HttpsResponse> {
  const { method = 'GET', url, headers = {}, body, ca, agent, timeoutMs = 30_000 } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', (err) =>
      reject(new Error(`${method} ${String(url)}: ${err.message}`, { cause: err })),
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.end(body);
  });
}

/** The first value of a header, whether Node gave a string or an array. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Parses a JSON body, naming the request and the status when it is not JSON. */
export function jsonBody<T>(response: HttpsResponse, what: string): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch (err) {
    const text = response.body.toString('utf8').slice(0, 200);
    throw new Error(`${what}: expected JSON, got status ${response.status} "${text}"`, {
      cause: err,
    });
  }
}
