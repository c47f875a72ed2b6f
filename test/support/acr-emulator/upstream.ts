/**
 * The real registry behind the emulator, asked for the facts ACR's /acr/v1 answers are made
 * of: repositories, tags, what a tag resolves to, and what a manifest holds.
 */
import { rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { ManifestAcceptTypes } from '../../../src/domain/media-types.js';
import { isRepository, isTag } from '../../../src/domain/reference.js';
import { header, httpsRequest, jsonBody, type HttpsResponse } from '../https.js';

export interface ManifestFacts {
  readonly digest: string;
  readonly mediaType: string;
  /** Manifest bytes plus config and layers: ACR's imageSize, near enough. */
  readonly imageSize: number;
  readonly configMediaType?: string;
  readonly architecture?: string;
  readonly os?: string;
  /** Children of an index or list, with their platforms. */
  readonly references?: readonly { digest: string; architecture?: string; os?: string }[];
  /** What a referrers answer lists (OCI 1.1): the manifest's own size, subject, type, notes. */
  readonly size: number;
  readonly subject?: string;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface RawManifest {
  mediaType?: string;
  config?: { mediaType?: string; digest?: string; size?: number };
  layers?: { size?: number }[];
  manifests?: { digest?: string; platform?: { architecture?: string; os?: string } }[];
  subject?: { digest?: unknown };
  artifactType?: unknown;
  annotations?: unknown;
}

const accept = ManifestAcceptTypes.join(', ');
const configLimit = 1024 * 1024;

export class Upstream {
  readonly agent: Agent;
  private readonly facts = new Map<string, ManifestFacts>();

  constructor(
    readonly url: string,
    ca: string,
    /** The registry's filesystem root, when known: untagging needs it. */
    private readonly storageDir?: string,
  ) {
    this.agent = new Agent({ keepAlive: true, ca });
  }

  close(): void {
    this.agent.destroy();
  }

  request(method: string, path: string, headers: Record<string, string> = {}) {
    return httpsRequest({ method, url: `${this.url}${path}`, headers, agent: this.agent });
  }

  async repositories(): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const response = this.expectOk(await this.request('GET', path), 'catalog');
      names.push(...(jsonBody<{ repositories?: string[] }>(response, path).repositories ?? []));
      path = nextLink(header(response.headers, 'link'));
    }
    return names;
  }

  /** Tags of a repository, or undefined when the registry does not know the repository. */
  async tags(repository: string): Promise<string[] | undefined> {
    const path = `/v2/${repository}/tags/list`;
    const response = await this.request('GET', path);
    if (response.status === 404) return undefined;
    this.expectOk(response, path);
    return jsonBody<{ tags?: string[] | null }>(response, path).tags ?? [];
  }

  /** The digest a tag or digest resolves to now, or undefined when there is none. */
  async resolve(repository: string, reference: string): Promise<string | undefined> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const response = await this.request('HEAD', path, { Accept: accept });
    if (response.status === 404) return undefined;
    this.expectOk(response, `HEAD ${path}`);
    return header(response.headers, 'docker-content-digest');
  }

  /**
   * Facts of a manifest in a repository, or undefined when it is not there. The facts are
   * content-addressed and cached; whether the repository still has the digest is not.
   */
  async manifest(repository: string, digest: string): Promise<ManifestFacts | undefined> {
    const cached = this.facts.get(digest);
    if (cached) return (await this.resolve(repository, digest)) ? cached : undefined;
    const path = `/v2/${repository}/manifests/${digest}`;
    const response = await this.request('GET', path, { Accept: accept });
    if (response.status === 404) return undefined;
    this.expectOk(response, `GET ${path}`);

    const raw = jsonBody<RawManifest>(response, path);
    const mediaType = header(response.headers, 'content-type') ?? raw.mediaType ?? '';
    const facts = await this.describe(repository, digest, mediaType, raw, response.body.length);
    this.facts.set(digest, facts);
    return facts;
  }

  /** Untags the way distribution's own storage does: removing the tag's directory. */
  async untag(repository: string, tag: string): Promise<void> {
    if (!isTag(tag)) throw new Error(`invalid tag "${tag}"`);
    await rm(join(this.repositoryDir(repository), '_manifests', 'tags', tag), {
      recursive: true,
      force: true,
    });
  }

  async removeRepository(repository: string): Promise<void> {
    await rm(this.repositoryDir(repository), { recursive: true, force: true });
  }

  private repositoryDir(repository: string): string {
    // These names become paths: refuse anything that is not a plain repository name.
    if (!isRepository(repository)) throw new Error(`invalid repository name "${repository}"`);
    if (!this.storageDir) {
      throw new Error('untagging needs the registry storage directory (option storageDir)');
    }
    return join(this.storageDir, 'docker', 'registry', 'v2', 'repositories', repository);
  }

  private async describe(
    repository: string,
    digest: string,
    mediaType: string,
    raw: RawManifest,
    size: number,
  ): Promise<ManifestFacts> {
    const common = { digest, mediaType, size, ...referrerFacts(raw) };
    if (Array.isArray(raw.manifests)) {
      const references = raw.manifests.map((child) => ({
        digest: child.digest ?? '',
        architecture: child.platform?.architecture,
        os: child.platform?.os,
      }));
      return { ...common, imageSize: size, references };
    }
    const layers = (raw.layers ?? []).reduce((sum, layer) => sum + (layer.size ?? 0), 0);
    const platform = await this.platform(repository, raw.config);
    return {
      ...common,
      imageSize: size + (raw.config?.size ?? 0) + layers,
      configMediaType: raw.config?.mediaType,
      ...platform,
    };
  }

  /** architecture and os from the config blob, when it is small JSON that has them. */
  private async platform(repository: string, config: RawManifest['config']) {
    if (!config?.digest || (config.size ?? 0) > configLimit) return {};
    const response = await this.request('GET', `/v2/${repository}/blobs/${config.digest}`);
    if (response.status !== 200) return {};
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
      const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
      return { architecture: text(parsed.architecture), os: text(parsed.os) };
    } catch {
      return {};
    }
  }

  private expectOk(response: HttpsResponse, what: string): HttpsResponse {
    if (response.status >= 200 && response.status < 300) return response;
    const text = response.body.toString('utf8').slice(0, 300);
    throw new Error(`registry ${this.url} ${what}: expected 2xx, got ${response.status} ${text}`);
  }
}

/** subject, artifactType and string annotations, where the manifest has them. */
function referrerFacts(raw: RawManifest) {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const subject = text(raw.subject?.digest);
  const artifactType = text(raw.artifactType);
  const entries =
    typeof raw.annotations === 'object' && raw.annotations !== null
      ? Object.entries(raw.annotations).filter(([, value]) => typeof value === 'string')
      : [];
  return {
    ...(subject !== undefined ? { subject } : {}),
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(entries.length > 0
      ? { annotations: Object.fromEntries(entries) as Record<string, string> }
      : {}),
  };
}

/** The target of a `<...>; rel="next"` Link header. */
export function nextLink(link: string | undefined): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
  return match?.[1];
}
