/**
 * The registry port over @azure/container-registry. Bounded in retries and time, since an
 * Event Grid delivery has 30 s in all and ACR's Retry-After can reach 60 s.
 */
import {
  ContainerRegistryClient,
  ContainerRegistryContentClient,
  type ContainerRegistryClientOptions,
} from '@azure/container-registry';
import type { TokenCredential } from '@azure/identity';
import type { Descriptor, ManifestBlob } from '../domain/model.js';
import { normalizeMediaType } from '../domain/media-types.js';
import { isDigest } from '../domain/reference.js';
import { sha256Digest } from '../domain/convert.js';
import { boundedSignal, deadlinePassed } from '../deadline.js';
import { httpStatusOf } from '../http-status.js';
import { DigestCache } from './digest-cache.js';
import type { ManifestAttributes, RegistryPort, TagInfo } from './port.js';
import { RegistryError } from './port.js';
import { listReferrers, senderOf } from './referrers.js';

export interface AcrOptions {
  /** Login server, e.g. myreg.azurecr.io; https is always used. */
  readonly registry: string;
  readonly credential: TokenCredential;
  /** Per-call limit; the whole call, retries included, is abandoned after it. */
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
  readonly cache?: DigestCache;
  /** Counts every registry call the adapter makes, for the benchmark and tests. */
  readonly onRequest?: (operation: string) => void;
}

export class AcrRegistry implements RegistryPort {
  readonly registry: string;
  private readonly endpoint: string;
  private readonly client: ContainerRegistryClient;
  private readonly contentClients = new Map<string, ContainerRegistryContentClient>();
  private readonly clientOptions: ContainerRegistryClientOptions;
  private readonly timeoutMs: number;
  private readonly cache: DigestCache;

  constructor(private readonly options: AcrOptions) {
    this.registry = options.registry.toLowerCase();
    this.endpoint = `https://${this.registry}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.cache = options.cache ?? new DigestCache();
    this.clientOptions = {
      retryOptions: { maxRetries: options.maxRetries ?? 2, maxRetryDelayInMs: 4_000 },
    };
    this.client = new ContainerRegistryClient(
      this.endpoint,
      options.credential,
      this.clientOptions,
    );
  }

  async getManifest(repository: string, tagOrDigest: string): Promise<ManifestBlob> {
    const cached = this.cache.get(this.registry, tagOrDigest);
    if (cached) return cached;

    const result = await this.call('get manifest', repository, tagOrDigest, (abortSignal) =>
      this.content(repository).getManifest(tagOrDigest, { abortSignal }),
    );
    const blob: ManifestBlob = {
      digest: result.digest,
      mediaType: normalizeMediaType(result.mediaType),
      content: new Uint8Array(result.content),
    };
    this.cache.set(this.registry, blob);
    return blob;
  }

  async putManifest(
    repository: string,
    content: Uint8Array,
    mediaType: string,
    tag?: string,
  ): Promise<string> {
    const ref = tag ?? sha256Digest(content);
    // Always pass mediaType: the SDK otherwise sends the OCI manifest type.
    const result = await this.call('put manifest', repository, ref, (abortSignal) =>
      this.content(repository).setManifest(Buffer.from(content), {
        mediaType,
        ...(tag !== undefined ? { tag } : {}),
        abortSignal,
      }),
    );
    return result.digest;
  }

  async resolveTag(repository: string, tag: string): Promise<string | undefined> {
    try {
      const properties = await this.call('get tag', repository, tag, (abortSignal) =>
        this.client.getArtifact(repository, tag).getTagProperties(tag, { abortSignal }),
      );
      return properties.digest;
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }

  async getManifestAttributes(repository: string, digest: string): Promise<ManifestAttributes> {
    const properties = await this.call(
      'get manifest attributes',
      repository,
      digest,
      (abortSignal) =>
        this.client.getArtifact(repository, digest).getManifestProperties({ abortSignal }),
    );
    return {
      readEnabled: properties.canRead ?? true,
      writeEnabled: properties.canWrite ?? true,
      deleteEnabled: properties.canDelete ?? true,
      listEnabled: properties.canList ?? true,
    };
  }

  async setManifestAttributes(
    repository: string,
    digest: string,
    attributes: Partial<ManifestAttributes>,
  ): Promise<void> {
    const options = {
      ...(attributes.readEnabled !== undefined ? { canRead: attributes.readEnabled } : {}),
      ...(attributes.writeEnabled !== undefined ? { canWrite: attributes.writeEnabled } : {}),
      ...(attributes.deleteEnabled !== undefined ? { canDelete: attributes.deleteEnabled } : {}),
      ...(attributes.listEnabled !== undefined ? { canList: attributes.listEnabled } : {}),
    };
    await this.call('set manifest attributes', repository, digest, (abortSignal) =>
      this.client
        .getArtifact(repository, digest)
        .updateManifestProperties({ ...options, abortSignal }),
    );
  }

  /** No SDK method exists for the referrers API; referrers.ts sends it through the SDK's. */
  async listReferrers(
    repository: string,
    digest: string,
  ): Promise<readonly Descriptor[] | undefined> {
    return this.call('list referrers', repository, digest, (abortSignal) =>
      listReferrers(senderOf(this.content(repository)), {
        endpoint: this.endpoint,
        repository,
        digest,
        abortSignal,
      }),
    );
  }

  async *listRepositories(): AsyncIterable<string> {
    yield* this.paged('list repositories', '', () => this.client.listRepositoryNames());
  }

  async *listTags(repository: string): AsyncIterable<TagInfo> {
    // The SDK lists every tag of the repository from any artifact handle (/acr/v1/{name}/_tags).
    const tags = this.paged('list tags', repository, () =>
      this.client.getArtifact(repository, 'latest').listTagProperties(),
    );
    for await (const tag of tags) {
      yield {
        name: tag.name,
        digest: tag.digest,
        ...(tag.lastUpdatedOn ? { lastUpdatedOn: tag.lastUpdatedOn.toISOString() } : {}),
      };
    }
  }

  private async *paged<T>(
    operation: string,
    repository: string,
    list: () => AsyncIterable<T>,
  ): AsyncIterable<T> {
    this.options.onRequest?.(operation);
    try {
      for await (const item of list()) yield item;
    } catch (err) {
      throw toRegistryError(operation, `${this.registry}/${repository}`, err);
    }
  }

  private content(repository: string): ContainerRegistryContentClient {
    let client = this.contentClients.get(repository);
    if (!client) {
      client = new ContainerRegistryContentClient(
        this.endpoint,
        repository,
        this.options.credential,
        this.clientOptions,
      );
      this.contentClients.set(repository, client);
    }
    return client;
  }

  private async call<T>(
    operation: string,
    repository: string,
    ref: string,
    fn: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    this.options.onRequest?.(operation);
    try {
      return await fn(boundedSignal(this.timeoutMs));
    } catch (err) {
      const at = isDigest(ref) ? `@${ref}` : `:${ref}`;
      const name = `${this.registry}/${repository}${at}`;
      if (deadlinePassed()) {
        throw new RegistryError(
          `${operation} ${name}: the invocation's deadline passed`,
          undefined,
          true,
          {
            cause: err,
          },
        );
      }
      throw toRegistryError(operation, name, err);
    }
  }
}

/**
 * Sorts failures into transient (Event Grid should redeliver) and permanent. 401 and 403 count
 * as transient: right after a deployment, role assignments take minutes to propagate.
 */
export function toRegistryError(operation: string, ref: string, err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const cause = err instanceof Error ? err : new Error(String(err));
  const first = cause.message.split('\n')[0];
  const status = httpStatusOf(err);
  if (status !== undefined || cause.name === 'RestError') {
    const transient =
      status === undefined ||
      status === 429 ||
      status >= 500 ||
      status === 401 ||
      status === 403 ||
      status === 408;
    return new RegistryError(
      `${operation} ${ref} failed (${status ?? 'no response'}): ${first}`,
      status,
      transient,
      { cause },
    );
  }
  if (cause.name === 'AbortError' || cause.name === 'TimeoutError') {
    return new RegistryError(`${operation} ${ref} timed out`, undefined, true, { cause });
  }
  // Refused content: digest mismatch, over-size body, not JSON. Retrying cannot change it.
  const permanent =
    ['DigestMismatchError', 'SyntaxError', 'RangeError'].includes(cause.name) ||
    /exceed|too large/i.test(first ?? '');
  return new RegistryError(`${operation} ${ref} failed: ${first}`, undefined, !permanent, {
    cause,
  });
}
