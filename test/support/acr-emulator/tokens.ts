/**
 * ACR-style tokens: JWTs with `exp`, as @azure/container-registry requires of the refresh
 * token (it decodes the payload and refuses one without `exp`). Signed with HS256 and a
 * per-emulator secret so the emulator can tell its own tokens from made-up ones; clients
 * never verify them, exactly as with ACR.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Access } from './paths.js';

export type TokenKind = 'refresh' | 'access';

export interface TokenClaims {
  readonly jti: string;
  readonly sub: string;
  readonly aud: string;
  readonly iss: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  /** Ours, not ACR's: keeps a refresh token from being used as an access token. */
  readonly token_use: TokenKind;
  readonly grant_type: string;
  readonly tenant?: string;
  readonly access?: readonly Access[];
}

export interface TokenLifetimes {
  /** ACR's refresh tokens live about 3 hours. */
  readonly refreshSeconds: number;
  /** ACR's access tokens live about 75 minutes. */
  readonly accessSeconds: number;
}

export const defaultLifetimes: TokenLifetimes = {
  refreshSeconds: 3 * 3600,
  accessSeconds: 75 * 60,
};

export class TokenIssuer {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly service: string,
    private readonly lifetimes: TokenLifetimes = defaultLifetimes,
  ) {}

  refreshToken(subject: string, tenant?: string): string {
    return this.sign({
      ...this.base(subject, 'refresh', this.lifetimes.refreshSeconds),
      grant_type: 'refresh_token',
      ...(tenant ? { tenant } : {}),
    });
  }

  accessToken(subject: string, grantType: string, access: readonly Access[]): string {
    return this.sign({
      ...this.base(subject, 'access', this.lifetimes.accessSeconds),
      grant_type: grantType,
      access,
    });
  }

  accessSeconds(): number {
    return this.lifetimes.accessSeconds;
  }

  /** The claims of a token this emulator issued, of this kind, not expired; else undefined. */
  verify(token: string, kind: TokenKind): TokenClaims | undefined {
    const [head, body, signature] = token.split('.');
    if (!head || !body || !signature) return undefined;
    const expected = this.signature(`${head}.${body}`);
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;

    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    const now = Math.floor(Date.now() / 1000);
    if (claims.token_use !== kind || claims.aud !== this.service || claims.exp <= now) {
      return undefined;
    }
    return claims;
  }

  private base(subject: string, kind: TokenKind, lifetime: number) {
    const now = Math.floor(Date.now() / 1000);
    return {
      jti: randomUUID(),
      sub: subject,
      aud: this.service,
      iss: 'Azure Container Registry (emulator)',
      iat: now,
      nbf: now,
      exp: now + lifetime,
      token_use: kind,
    };
  }

  private sign(claims: TokenClaims): string {
    const head = encode({ alg: 'HS256', typ: 'JWT' });
    const body = encode(claims);
    return `${head}.${body}.${this.signature(`${head}.${body}`).toString('utf8')}`;
  }

  private signature(input: string): Buffer {
    return Buffer.from(createHmac('sha256', this.secret).update(input).digest('base64url'));
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
