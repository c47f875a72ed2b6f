/**
 * Proves the test services harness: the real registry behind the ACR emulator, driven by the
 * Azure SDK exactly as the app drives ACR, cross-checked with skopeo; and Azurite.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ContainerRegistryClient, ContainerRegistryContentClient } from '@azure/container-registry';
import { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { Docker2LayerGzip, OCI1LayerGzip, OCI1Manifest } from '../../src/domain/media-types.js';
import { EmulatorClient } from '../support/acr-emulator.js';
import { TestCredential } from '../support/credential.js';
import { header, httpsRequest } from '../support/https.js';
import { pushImage, type PushedManifest } from '../support/images.js';
import { PushClient } from '../support/push.js';
import { livePids } from '../support/processes.js';
import { startPrivateEmulator, startServices } from '../support/services.js';
import { inspect, inspectRaw } from '../support/skopeo.js';

const services = inject('services');
const run = randomUUID().slice(0, 8);
const ociRepository = `harness/oci-${run}`;
const dockerRepository = `harness/docker-${run}`;
const emulator = new EmulatorClient(services.emulator.url);
// No `ca` option: the worker trusts the test CA through NODE_EXTRA_CA_CERTS.
const pusher = new PushClient({
  url: services.emulator.url,
  credentials: services.emulator.admin,
});

let oci: PushedManifest;
let docker: PushedManifest;

beforeAll(async () => {
  oci = await pushImage(pusher, ociRepository, 'v1', 'oci');
  docker = await pushImage(pusher, dockerRepository, 'v1', 'docker');
});

describe('the ACR emulator in front of docker-registry', () => {
  it('serves pushed OCI and Docker manifests byte for byte to ContainerRegistryContentClient', async () => {
    const credential = new TestCredential();

    for (const [repository, pushed] of [
      [ociRepository, oci],
      [dockerRepository, docker],
    ] as const) {
      const client = new ContainerRegistryContentClient(
        services.emulator.url,
        repository,
        credential,
      );
      const fetched = await client.getManifest('v1');
      expect(fetched.digest).toBe(pushed.digest);
      expect(fetched.mediaType).toBe(pushed.mediaType);
      expect(fetched.content.equals(pushed.bytes)).toBe(true);
    }

    const exchanged = (await emulator.exchanges()).map((exchange) => exchange.accessToken);
    expect(exchanged).toContain(credential.token);
    expect(credential.requests[0]?.scopes).toEqual([
      'https://containerregistry.azure.net/.default',
    ]);
    const served = { method: 'GET', route: 'manifest', repository: ociRepository, status: 200 };
    expect(await emulator.count(served)).toBeGreaterThanOrEqual(1);
  });

  it('lists repository names page by page, following ACR Link headers', async () => {
    const client = new ContainerRegistryClient(services.emulator.url, new TestCredential());
    const pages: string[][] = [];

    for await (const page of client.listRepositoryNames().byPage({ maxPageSize: 1 })) {
      pages.push(page);
    }

    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.every((page) => page.length === 1)).toBe(true);
    expect(pages.flat()).toEqual(expect.arrayContaining([ociRepository, dockerRepository]));
  });

  it('reports manifest properties and tag properties from the real registry', async () => {
    const client = new ContainerRegistryClient(services.emulator.url, new TestCredential());
    const artifact = client.getArtifact(ociRepository, 'v1');

    const properties = await artifact.getManifestProperties();
    const tags = [];
    for await (const tag of artifact.listTagProperties()) tags.push(tag);

    expect(properties).toMatchObject({
      digest: oci.digest,
      tags: ['v1'],
      architecture: 'amd64',
      operatingSystem: 'linux',
      canRead: true,
      canWrite: true,
    });
    expect(tags.map((tag) => [tag.name, tag.digest])).toEqual([['v1', oci.digest]]);
  });

  it('refuses pulls of a manifest whose reads are disabled, by tag and by digest', async () => {
    const repository = `harness/locked-${run}`;
    const image = await pushImage(pusher, repository, 'v1', 'oci');
    const credential = new TestCredential();
    const artifact = new ContainerRegistryClient(services.emulator.url, credential).getArtifact(
      repository,
      'v1',
    );
    const content = new ContainerRegistryContentClient(
      services.emulator.url,
      repository,
      credential,
    );

    const locked = await artifact.updateManifestProperties({ canRead: false });

    expect(locked.canRead).toBe(false);
    await expect(content.getManifest('v1')).rejects.toMatchObject({ statusCode: 403 });
    await expect(pusher.getManifest(repository, image.digest)).rejects.toMatchObject({
      status: 403,
    });
    const target = { host: services.emulator.host, certDir: services.tls.certDir };
    await expect(inspectRaw(target, repository, 'v1')).rejects.toThrow(/denied/i);

    await artifact.updateManifestProperties({ canRead: true });
    expect((await content.getManifest('v1')).digest).toBe(image.digest);
  });

  it('answers 429 with Retry-After where a fault is injected, and the SDK retries past it', async () => {
    const path = `^/v2/${ociRepository}/manifests/`;
    await emulator.injectFault({ path, methods: ['GET'], retryAfter: 1, times: 1 });

    const throttled = await httpsRequest({
      url: `${services.emulator.url}/v2/${ociRepository}/manifests/v1`,
    });
    expect(throttled.status).toBe(429);
    expect(header(throttled.headers, 'retry-after')).toBe('1');

    await emulator.injectFault({ path, methods: ['GET'], retryAfter: 1, times: 1 });
    const client = new ContainerRegistryContentClient(
      services.emulator.url,
      ociRepository,
      new TestCredential(),
    );
    const started = Date.now();
    expect((await client.getManifest('v1')).digest).toBe(oci.digest);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const faulted = { route: 'manifest', repository: ociRepository, status: 429 };
    expect(await emulator.count(faulted)).toBe(2);
  });

  it('lets a private emulator turn auth off, so the credential is never asked', async () => {
    const own = await startPrivateEmulator(services);
    try {
      await own.setAuth(false);
      const credential = new TestCredential();
      const client = new ContainerRegistryContentClient(own.url, ociRepository, credential);

      expect((await client.getManifest('v1')).digest).toBe(oci.digest);
      expect(credential.requests).toEqual([]);
      expect(await own.exchanges()).toEqual([]);
    } finally {
      await own.stop();
    }
  });
  it('takes SDK uploads: blob chunks follow the relative Locations ACR sends', async () => {
    const repository = `harness/upload-${run}`;
    const image = await pushImage(pusher, `harness/source-${run}`, 'v1', 'oci');
    const client = new ContainerRegistryContentClient(
      services.emulator.url,
      repository,
      new TestCredential(),
    );
    const manifest = JSON.parse(image.bytes.toString('utf8')) as {
      config: { digest: string };
      layers: { digest: string }[];
    };

    for (const digest of [manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
      const source = `${services.registry.url}/v2/harness/source-${run}/blobs/${digest}`;
      const blob = (await httpsRequest({ url: source })).body;
      expect((await client.uploadBlob(blob)).digest).toBe(digest);
    }
    const pushed = await client.setManifest(image.bytes, { tag: 'copy', mediaType: OCI1Manifest });

    expect(pushed.digest).toBe(image.digest);
    expect((await pusher.getManifest(repository, 'copy')).body.equals(image.bytes)).toBe(true);
  });

  it('pages tag listings newest first and untags without deleting the manifest', async () => {
    const repository = `harness/tags-${run}`;
    const image = await pushImage(pusher, repository, 'a', 'docker');
    for (const tag of ['b', 'c']) {
      await pusher.pushManifest(repository, tag, image.bytes, image.mediaType);
    }
    const client = new ContainerRegistryClient(services.emulator.url, new TestCredential());
    const artifact = client.getArtifact(repository, image.digest);

    const pages: string[][] = [];
    const listing = artifact.listTagProperties({ order: 'LastUpdatedOnDescending' });
    for await (const page of listing.byPage({ maxPageSize: 2 })) {
      pages.push(page.map((tag) => tag.name));
    }
    await artifact.deleteTag('c');

    expect(pages).toEqual([['c', 'b'], ['a']]);
    await expect(artifact.getTagProperties('c')).rejects.toMatchObject({ statusCode: 404 });
    expect((await artifact.getManifestProperties()).tags.sort()).toEqual(['a', 'b']);
  });

  it('stops the services it already started when a later one fails to start', async () => {
    const before = livePids();

    await expect(startServices({ registryBinary: '/nonexistent/docker-registry' })).rejects.toThrow(
      /docker-registry/,
    );

    expect(livePids()).toEqual(before);
  });
});

describe('skopeo against the same services', () => {
  it('sees the bytes that were pushed, through the emulator and from the registry', async () => {
    const throughEmulator = { host: services.emulator.host, certDir: services.tls.certDir };
    const direct = { host: services.registry.host, certDir: services.tls.certDir };

    expect((await inspectRaw(throughEmulator, ociRepository, 'v1')).equals(oci.bytes)).toBe(true);
    expect((await inspectRaw(direct, dockerRepository, docker.digest)).equals(docker.bytes)).toBe(
      true,
    );
  });

  it('reads the platform from the config and the layer media types from the manifest', async () => {
    const target = { host: services.emulator.host, certDir: services.tls.certDir };

    for (const [repository, pushed, layerType] of [
      [ociRepository, oci, OCI1LayerGzip],
      [dockerRepository, docker, Docker2LayerGzip],
    ] as const) {
      const summary = await inspect(target, repository, 'v1');
      const raw = JSON.parse((await inspectRaw(target, repository, 'v1')).toString('utf8')) as {
        layers: { mediaType: string; digest: string }[];
      };

      expect(summary).toMatchObject({ Digest: pushed.digest, Architecture: 'amd64', Os: 'linux' });
      expect(raw.layers.map((layer) => layer.mediaType)).toEqual([layerType]);
      expect(summary.Layers).toEqual(raw.layers.map((layer) => layer.digest));
    }
  });
});

describe('Azurite and process trust', () => {
  it('accepts a TableClient creating a table and an entity', async () => {
    const table = TableClient.fromConnectionString(
      services.azurite.connectionString,
      `harness${run}`,
      { allowInsecureConnection: true },
    );

    await table.createTable();
    await table.createEntity({ partitionKey: 'harness', rowKey: run, value: 42 });

    expect((await table.getEntity('harness', run)).value).toBe(42);
    await table.deleteTable();
  });

  it('makes child processes trust the test CA without any option', async () => {
    const script = [
      "const https = require('node:https');",
      'https.get(process.argv[1], (res) => { console.log(res.statusCode); process.exit(0); })',
      ".on('error', (err) => { console.error(err.message); process.exit(1); });",
    ].join('');

    const { stdout } = await promisify(execFile)(process.execPath, [
      '-e',
      script,
      `${services.emulator.url}/v2/`,
    ]);

    expect(stdout.trim()).toBe('401');
  });
});
