/**
 * The ACR emulator: an HTTPS server on 127.0.0.1 in front of a real registry. It runs in the
 * process that starts it (vitest's main process via globalSetup, or a test file, or the
 * benchmark), so it is stopped by closing it, not by a PID.
 *
 * Per request: test controls first; then counting, injected faults, the bearer-token check,
 * and finally ACR's /acr/v1 API, the referrers API, or the /v2 proxy with ACR's
 * read/write/delete locks.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestTls } from '../tls.js';
import { handleAcrApi } from './acr-api.js';
import { authorize, exchange, token, type AuthConfig } from './auth.js';
import { EmulatorClient } from './client.js';
import { handleControl } from './controls.js';
import { HttpError, sendError } from './http.js';
import { Inventory } from './inventory.js';
import { parseTarget, requiredAccess, type RequestTarget } from './paths.js';
import { enforceLocks, forward } from './proxy.js';
import { handleReferrers } from './referrers.js';
import { EmulatorState } from './state.js';
import { defaultLifetimes, TokenIssuer, type TokenLifetimes } from './tokens.js';
import { Upstream } from './upstream.js';

export interface AcrEmulatorOptions {
  /** The real registry, e.g. https://127.0.0.1:5000 */
  readonly registryUrl: string;
  /** Server certificate for the emulator and CA for the registry. */
  readonly tls: TestTls;
  /** The registry's filesystem root; needed to delete tags and repositories. */
  readonly storageDir?: string;
  /** Anonymous pull, like ACR's `anonymousPullEnabled`; default true (skopeo needs no login). */
  readonly anonymousPull?: boolean;
  readonly admin?: { readonly username: string; readonly password: string };
  readonly tokenLifetimes?: TokenLifetimes;
}

/** A running emulator: its test controls plus where it listens and how to stop it. */
export class AcrEmulator extends EmulatorClient {
  constructor(
    url: string,
    ca: string,
    /** User and password accepted by GET /oauth2/token (skopeo --creds). */
    readonly admin: { readonly username: string; readonly password: string },
    private readonly server: Server,
    private readonly upstream: Upstream,
  ) {
    super(url, ca);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.upstream.close();
  }
}

interface Context extends AuthConfig {
  readonly upstream: Upstream;
  readonly inventory: Inventory;
}

export async function startAcrEmulator(options: AcrEmulatorOptions): Promise<AcrEmulator> {
  const { tls } = options;
  const [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
  const server = createServer({ cert, key });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  const state = new EmulatorState();
  const upstream = new Upstream(options.registryUrl, tls.caPem, options.storageDir);
  const admin = options.admin ?? { username: 'admin', password: randomBytes(12).toString('hex') };
  const context: Context = {
    host,
    state,
    upstream,
    inventory: new Inventory(state, upstream),
    issuer: new TokenIssuer(host, options.tokenLifetimes ?? defaultLifetimes),
    admin,
    anonymousPull: options.anonymousPull ?? true,
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(context, req, res);
  });
  return new AcrEmulator(`https://${host}`, tls.caPem, admin, server, upstream);
}

async function handle(context: Context, req: IncomingMessage, res: ServerResponse) {
  const method = req.method ?? 'GET';
  const target = parseTarget(req.url ?? '/');
  try {
    if (target.route === 'control') return await handleControl(context.state, req, res, target);
    res.on('finish', () =>
      context.state.count(method, target.route, target.repository, res.statusCode),
    );
    throwInjectedFault(context, method, target);
    await route(context, method, req, res, target);
  } catch (err) {
    fail(res, err);
  }
}

async function route(
  context: Context,
  method: string,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  if (target.route === 'oauth2-exchange') return exchange(context, req, res);
  if (target.route === 'oauth2-token') return token(context, req, res, target);
  if (target.route === 'unknown') {
    throw new HttpError(404, { code: 'NOT_FOUND', message: `no route for ${target.path}` });
  }

  authorize(context, req, requiredAccess(method, target));
  // ACR serves the referrers API itself; distribution 2.8 behind us has none (404).
  if (target.route === 'referrers') return handleReferrers(context.inventory, req, res, target);
  if (target.route.startsWith('acr-')) {
    if (await handleAcrApi(context, req, res, target)) return;
    throw new HttpError(405, { code: 'UNSUPPORTED', message: `${method} ${target.path}` });
  }
  await enforceLocks(context.state, context.upstream, method, target);
  await forward(context.state, context.upstream, req, res, target);
}

function throwInjectedFault(context: Context, method: string, target: RequestTarget): void {
  const fault = context.state.takeFault(method, target.path);
  if (!fault) return;
  const status = fault.status ?? 429;
  const code = status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE';
  const message = `injected fault ${fault.id} (${fault.fired} of ${fault.times ?? 'unlimited'})`;
  const retryAfter = { 'Retry-After': String(fault.retryAfter ?? 1) };
  throw new HttpError(status, { code, message }, retryAfter);
}

function fail(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  if (err instanceof HttpError) return sendError(res, err);
  const message = err instanceof Error ? err.message : String(err);
  sendError(res, new HttpError(500, { code: 'INTERNAL_ERROR', message }));
}
