/**
 * ACR's token flow, as @azure/container-registry 1.1.2 drives it:
 *
 * 1. a request without a good bearer token gets 401 and
 *    `WWW-Authenticate: Bearer realm="https://HOST/oauth2/token",service="HOST",scope="..."`
 *    (plus `error="insufficient_scope"` when a token was sent but does not cover the scope);
 * 2. POST /oauth2/exchange, form `grant_type=access_token&service&access_token[&tenant]`,
 *    trades the Entra token for `{"refresh_token": JWT}` (the SDK reads `exp` from it);
 * 3. POST /oauth2/token, form `grant_type=refresh_token&service&scope&refresh_token`, gives
 *    `{"access_token": JWT}` for that one scope; the SDK caches it until the next challenge.
 *
 * Also the Docker token protocol on GET /oauth2/token, so skopeo can log in: anonymous
 * (pull-only, like ACR's anonymous pull), or HTTP Basic with the emulator's admin user or
 * with the `00000000-0000-0000-0000-000000000000` user and a refresh token as password
 * (what `az acr login --expose-token` hands to docker).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError, readForm, sendJson } from './http.js';
import { covers, formatScope, parseScopes, type Access, type RequestTarget } from './paths.js';
import type { EmulatorState } from './state.js';
import type { TokenIssuer } from './tokens.js';

export interface AuthConfig {
  readonly host: string;
  readonly issuer: TokenIssuer;
  readonly state: EmulatorState;
  readonly admin: { readonly username: string; readonly password: string };
  readonly anonymousPull: boolean;
}

const refreshTokenUser = '00000000-0000-0000-0000-000000000000';

/** Throws a 401 challenge unless the request carries a token that covers `needed`. */
export function authorize(
  config: AuthConfig,
  req: IncomingMessage,
  needed: Access | 'login' | 'none',
): void {
  if (!config.state.authEnabled || needed === 'none') return;
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const claims = bearer ? config.issuer.verify(bearer, 'access') : undefined;

  if (claims && (needed === 'login' || covers(claims.access ?? [], needed))) return;
  throw challenge(config.host, needed, claims !== undefined);
}

function challenge(host: string, needed: Access | 'login', insufficient: boolean): HttpError {
  const parts = [`realm="https://${host}/oauth2/token"`, `service="${host}"`];
  if (needed !== 'login') parts.push(`scope="${formatScope(needed)}"`);
  if (insufficient) parts.push('error="insufficient_scope"');
  const detail =
    needed === 'login'
      ? undefined
      : [{ Type: needed.type, Name: needed.name, Action: needed.actions.join(',') }];
  return new HttpError(
    401,
    {
      code: 'UNAUTHORIZED',
      message:
        'authentication required, visit https://aka.ms/acr/authorization for more information.',
      ...(detail ? { detail } : {}),
    },
    { 'WWW-Authenticate': `Bearer ${parts.join(',')}` },
  );
}

/** POST /oauth2/exchange: Entra access token (or an ACR refresh token) -> refresh token. */
export async function exchange(
  config: AuthConfig,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') throw methodNotAllowed(req.method);
  const form = await readForm(req);
  const grantType = form.get('grant_type') ?? '';
  const service = checkService(config, form.get('service'));
  const tenant = form.get('tenant');

  let subject: string;
  if (grantType === 'access_token' || grantType === 'access_token_refresh_token') {
    const accessToken = form.get('access_token');
    if (!accessToken) {
      throw badRequest('form field access_token: expected an Entra token, got none');
    }
    config.state.exchanges.push({
      accessToken,
      service,
      tenant,
      grantType,
      at: new Date().toISOString(),
    });
    subject = 'entra-identity';
  } else if (grantType === 'refresh_token') {
    subject = refreshClaims(config, form.get('refresh_token')).sub;
  } else {
    throw badRequest(
      `form field grant_type: expected access_token or refresh_token, got "${grantType}"`,
    );
  }
  sendJson(res, 200, { refresh_token: config.issuer.refreshToken(subject, tenant ?? undefined) });
}

/** /oauth2/token: POST (the SDK's form) or GET (Docker token protocol, for skopeo). */
export async function token(
  config: AuthConfig,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  if (req.method === 'GET') return dockerToken(config, req, res, target);
  if (req.method !== 'POST') throw methodNotAllowed(req.method);

  const form = await readForm(req);
  checkService(config, form.get('service'));
  const scopes = parseScopes(form.get('scope'));
  const grantType = form.get('grant_type') ?? '';
  let grant: Grant;
  if (grantType === 'refresh_token') {
    grant = { subject: refreshClaims(config, form.get('refresh_token')).sub, full: true };
  } else if (grantType === 'password') {
    // The SDK's anonymous mode sends grant_type=password with an empty refresh_token.
    grant = passwordGrant(config, form.get('username'), form.get('password'));
  } else {
    throw badRequest(
      `form field grant_type: expected refresh_token or password, got "${grantType}"`,
    );
  }
  sendJson(res, 200, { access_token: issue(config, grant, scopes) });
}

interface Grant {
  readonly subject: string;
  /** Everything asked for; otherwise anonymous pull only. */
  readonly full: boolean;
}

function dockerToken(
  config: AuthConfig,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): void {
  checkService(config, target.query.get('service'));
  const scopes = target.query.getAll('scope').flatMap((scope) => parseScopes(scope));
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let grant: Grant = { subject: 'anonymous', full: false };
  if (basic) {
    const [username, ...rest] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    grant = passwordGrant(config, username, rest.join(':'));
  }
  const issued = issue(config, grant, scopes);
  const now = new Date().toISOString();
  const expires = config.issuer.accessSeconds();
  sendJson(res, 200, { token: issued, access_token: issued, expires_in: expires, issued_at: now });
}

function passwordGrant(
  config: AuthConfig,
  username: string | null | undefined,
  password: string | null | undefined,
): Grant {
  if (!username && !password) return { subject: 'anonymous', full: false };
  const { admin } = config;
  if (username === admin.username && password === admin.password) {
    return { subject: username, full: true };
  }
  if (username === refreshTokenUser && password && config.issuer.verify(password, 'refresh')) {
    return { subject: 'entra-identity', full: true };
  }
  throw unauthorized(`credentials for user "${username ?? ''}" are not valid`);
}

function issue(config: AuthConfig, grant: Grant, scopes: readonly Access[]): string {
  if (!grant.full && !config.anonymousPull) {
    throw unauthorized('anonymous pull is disabled on this registry');
  }
  const granted = grant.full ? scopes : scopes.map(anonymousShare).filter(nonEmpty);
  return config.issuer.accessToken(
    grant.subject,
    grant.full ? 'refresh_token' : 'anonymous',
    granted,
  );
}

/** Anonymous pull grants reads only: pull, metadata_read, and the catalog. */
function anonymousShare(access: Access): Access {
  if (access.type === 'registry') return access;
  const actions = access.actions.filter((a) => a === 'pull' || a === 'metadata_read');
  return { ...access, actions };
}

function nonEmpty(access: Access): boolean {
  return access.actions.length > 0;
}

function refreshClaims(config: AuthConfig, refreshToken: string | null) {
  const claims = refreshToken ? config.issuer.verify(refreshToken, 'refresh') : undefined;
  if (!claims) {
    throw unauthorized('form field refresh_token: expected a valid, unexpired refresh token');
  }
  return claims;
}

function checkService(config: AuthConfig, service: string | null): string {
  if (service !== config.host) {
    throw badRequest(`service: expected "${config.host}", got "${service ?? ''}"`);
  }
  return service;
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, { code: 'UNAUTHORIZED', message });
}

function methodNotAllowed(method: string | undefined): HttpError {
  return new HttpError(405, { code: 'UNSUPPORTED', message: `method ${method ?? ''} not allowed` });
}
