/**
 * A stand-in for an Entra credential, since no Entra exists in tests. It has the documented
 * shape of @azure/core-auth's TokenCredential (getToken returns {token, expiresOnTimestamp}),
 * so the Azure SDK takes it as it would DefaultAzureCredential; the ACR emulator's
 * /oauth2/exchange records the token it was given, which lets a test prove the credential
 * was used.
 */
import { randomUUID } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

export interface TokenRequest {
  readonly scopes: readonly string[];
  readonly tenantId: string | undefined;
}

export class TestCredential implements TokenCredential {
  /** Every getToken call, in order. */
  readonly requests: TokenRequest[] = [];

  constructor(
    /** The "Entra access token" handed out; unique per instance unless given. */
    readonly token: string = `test-aad-token-${randomUUID()}`,
    private readonly lifetimeMs: number = 60 * 60 * 1000,
  ) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({
      scopes: Array.isArray(scopes) ? [...scopes] : [scopes],
      tenantId: options?.tenantId,
    });
    return { token: this.token, expiresOnTimestamp: Date.now() + this.lifetimeMs };
  }
}
