/**
 * Pushes and pulls over plain HTTPS (the distribution API), without the Azure SDK, so a test
 * can set up a registry's content independently of the code under test.
 *
 * Works against docker-registry directly (no auth) and through the ACR emulator: on a 401
 * Bearer challenge it follows the Docker token protocol (GET realm?service&scope), with
 * `credentials` when given (the emulator's admin user; pushes need them) and anonymously
 * otherwise (the emulator's anonymous pull covers reads). With the emulator's auth switched
 * off no challenge comes at all.
 */
import { createHash } from 'node:crypto';
import { ManifestAcceptTypes } from '../../src/domain/media-types.js';
import { header, httpsRequest, jsonBody, type HttpsResponse } from './https.js';

export interface PushClientOptions {
  /** https://HOST:PORT of docker-registry or the emulator. */
  readonly url: string;
  /** PEM of the test CA; Node's store (NODE_EXTRA_CA_CERTS) when absent. */
  readonly ca?: string;
  readonly credentials?: { readonly username: string; readonly password: string };
}

export interface PushedBlob {
  readonly digest: string;
  readonly size: number;
}

export interface FetchedManifest {
  readonly digest: string;
  /** The registry's Content-Type. */
  readonly mediaType: string;
  readonly body: Buffer;
}

/** A registry answered with something other than what the call needs. */
export class RegistryHttpError extends Error {
  override readonly name = 'RegistryHttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
  }
}

export class PushClient {
  private readonly tokens = new Map<string, string>();

  constructor(private readonly options: PushClientOptions) {}

  /** Uploads bytes as a blob (monolithic POST + PUT) unless the repository has it already. */
  async pushBlob(repository: string, bytes: Uint8Array): Promise<PushedBlob> {
    const digest = sha256(bytes);
    const exists = await this.send('HEAD', `/v2/${repository}/blobs/${digest}`, repository);
    if (exists.status === 200) return { digest, size: bytes.length };

    const started = await this.send('POST', `/v2/${repository}/blobs/uploads/`, repository);
    expectStatus(started, 202, `start upload to ${repository}`);
    const location = new URL(header(started.headers, 'location') ?? '', this.options.url);
    location.searchParams.set('digest', digest);
    const done = await this.send('PUT', `${location.pathname}${location.search}`, repository, {
      body: bytes,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    expectStatus(done, 201, `upload ${digest} to ${repository}`);
    return { digest, size: bytes.length };
  }

  /** PUTs exact bytes with Content-Type `mediaType` under a tag or digest; returns the digest. */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
  ): Promise<string> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const response = await this.send('PUT', path, repository, {
      body: bytes,
      headers: { 'Content-Type': mediaType },
    });
    expectStatus(response, 201, `push manifest ${repository}:${reference}`);
    return header(response.headers, 'docker-content-digest') ?? sha256(bytes);
  }

  /** GETs a manifest accepting all four manifest types (or `accept`). */
  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[] = ManifestAcceptTypes,
  ): Promise<FetchedManifest> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const response = await this.send('GET', path, repository, {
      headers: { Accept: accept.join(', ') },
    });
    expectStatus(response, 200, `get manifest ${repository}:${reference}`);
    return {
      digest: header(response.headers, 'docker-content-digest') ?? sha256(response.body),
      mediaType: header(response.headers, 'content-type') ?? '',
      body: response.body,
    };
  }

  /** A request with the token flow handled; no status check. */
  async send(
    method: string,
    path: string,
    repository: string,
    extra: { body?: Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<HttpsResponse> {
    const scope = `repository:${repository}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}`;
    const attempt = () =>
      httpsRequest({
        method,
        url: `${this.options.url}${path}`,
        ca: this.options.ca,
        body: extra.body,
        headers: { ...extra.headers, ...this.authorization(scope) },
      });
    const first = await attempt();
    const challenge = header(first.headers, 'www-authenticate');
    if (first.status !== 401 || !challenge?.startsWith('Bearer')) return first;
    await this.fetchToken(challenge, scope);
    return attempt();
  }

  private authorization(scope: string): Record<string, string> {
    const token = this.tokens.get(scope);
    return token ? { Authorization: `Bearer ${token}` } : {};
  }

  private async fetchToken(challenge: string, fallbackScope: string): Promise<void> {
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (!params.realm) throw new Error(`challenge without realm: ${challenge}`);
    const url = new URL(params.realm);
    url.searchParams.set('service', params.service ?? '');
    url.searchParams.set('scope', params.scope ?? fallbackScope);
    const { credentials } = this.options;
    const basic = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : undefined;
    const response = await httpsRequest({
      url,
      ca: this.options.ca,
      headers: basic ? { Authorization: basic } : {},
    });
    expectStatus(response, 200, `token from ${params.realm}`);
    const { token } = jsonBody<{ token?: string }>(response, `token from ${params.realm}`);
    if (!token) throw new Error(`token from ${params.realm}: no "token" in the answer`);
    this.tokens.set(fallbackScope, token);
  }
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function expectStatus(response: HttpsResponse, status: number, what: string): void {
  if (response.status === status) return;
  const body = response.body.toString('utf8');
  throw new RegistryHttpError(
    `${what}: expected ${status}, got ${response.status} ${body.slice(0, 300)}`,
    response.status,
    body,
  );
}
