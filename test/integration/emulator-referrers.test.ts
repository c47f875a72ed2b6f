/**
 * The ACR emulator's referrers API (GET /v2/<name>/referrers/<digest>), as ACR and the OCI
 * distribution spec 1.1 define it, and the ACR adapter's lookup through the Azure SDK's own
 * auth against it and against docker-registry, which has no referrers API.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  NotarySignature,
  OCI1Index,
  OCI1Manifest,
  SpdxJson,
} from '../../src/domain/media-types.js';
import type { ManifestBlob } from '../../src/domain/model.js';
import { AcrRegistry } from '../../src/registry/acr.js';
import { emptyConfig, notationSignature, spdxSbom } from '../fixtures/artifacts.js';
import { blob, describe as descriptorOf, manifestBlob, utf8 } from '../fixtures/blobs.js';
import type { Built } from '../fixtures/images.js';
import { fixtureNamed } from '../fixtures/manifests.js';
import { EmulatorClient } from '../support/acr-emulator.js';
import { TestCredential } from '../support/credential.js';
import { pushFixture } from '../support/fixture-push.js';
import { header, httpsRequest, jsonBody } from '../support/https.js';
import { PushClient } from '../support/push.js';

const services = inject('services');
const repository = `harness/referrers-${randomUUID().slice(0, 8)}`;
const emulator = new EmulatorClient(services.emulator.url);
const pusher = new PushClient({ url: services.emulator.url, credentials: services.emulator.admin });

const image = fixtureNamed('oci-image');
const signature = notationSignature(image.top);
const sbom = spdxSbom(image.top);
/** An ORAS-style referrer with no artifactType: its config media type stands for one. */
const configTyped = configTypedReferrer(image.top);

interface ReferrersIndex {
  readonly schemaVersion: number;
  readonly mediaType: string;
  readonly manifests: readonly Record<string, unknown>[];
}

function configTypedReferrer(subject: ManifestBlob): Built {
  const config = blob(SpdxJson, utf8('{}'));
  const top = manifestBlob(OCI1Manifest, {
    schemaVersion: 2,
    mediaType: OCI1Manifest,
    config: descriptorOf(config),
    layers: [descriptorOf(emptyConfig)],
    subject: descriptorOf(subject),
  });
  return { top, children: [], blobs: [config, emptyConfig] };
}

async function pushReferrer(built: Built): Promise<void> {
  for (const item of built.blobs) await pusher.pushBlob(repository, item.content);
  await pusher.pushManifest(repository, built.top.digest, built.top.content, built.top.mediaType);
}

function referrers(digest: string, query = '', name = repository) {
  return pusher.send('GET', `/v2/${name}/referrers/${digest}${query}`, name);
}

function expectedDescriptor(built: Built, artifactType: string) {
  const body = JSON.parse(Buffer.from(built.top.content).toString('utf8')) as {
    annotations?: Record<string, string>;
  };
  return {
    mediaType: OCI1Manifest,
    digest: built.top.digest,
    size: built.top.content.byteLength,
    artifactType,
    ...(body.annotations !== undefined ? { annotations: body.annotations } : {}),
  };
}

beforeAll(async () => {
  await pushFixture(pusher, repository, image);
  for (const built of [signature, sbom, configTyped]) await pushReferrer(built);
});

describe('GET /v2/<name>/referrers/<digest> on the ACR emulator', () => {
  it('lists every manifest whose subject is the digest, as an OCI index', async () => {
    const response = await referrers(image.top.digest);

    expect(response.status).toBe(200);
    expect(header(response.headers, 'content-type')).toBe(OCI1Index);
    expect(header(response.headers, 'oci-filters-applied')).toBeUndefined();
    const index = jsonBody<ReferrersIndex>(response, 'referrers');
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(OCI1Index);
    const expected = [
      expectedDescriptor(signature, NotarySignature),
      expectedDescriptor(sbom, SpdxJson),
      expectedDescriptor(configTyped, SpdxJson),
    ].sort((a, b) => a.digest.localeCompare(b.digest));
    expect(index.manifests).toEqual(expected);
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const query = `?artifactType=${encodeURIComponent(NotarySignature)}`;

    const response = await referrers(image.top.digest, query);

    expect(header(response.headers, 'oci-filters-applied')).toBe('artifactType');
    const index = jsonBody<ReferrersIndex>(response, 'referrers');
    expect(index.manifests).toEqual([expectedDescriptor(signature, NotarySignature)]);
  });

  it('answers an empty index, never a 404, for a digest nothing refers to', async () => {
    const response = await referrers(signature.top.digest);

    expect(response.status).toBe(200);
    expect(jsonBody<ReferrersIndex>(response, 'referrers').manifests).toEqual([]);
  });

  it('answers 400 to a bad digest and NAME_UNKNOWN to an unknown repository', async () => {
    const malformed = await referrers('sha256:nothex');
    const unknown = await referrers(image.top.digest, '', `${repository}-nowhere`);

    expect(malformed.status).toBe(400);
    expect(malformed.body.toString()).toContain('DIGEST_INVALID');
    expect(unknown.status).toBe(404);
    expect(unknown.body.toString()).toContain('NAME_UNKNOWN');
  });

  it('challenges for the same scope as a manifest pull', async () => {
    const path = `/v2/${repository}/referrers/${image.top.digest}`;

    const response = await httpsRequest({ url: `${services.emulator.url}${path}` });

    expect(response.status).toBe(401);
    expect(header(response.headers, 'www-authenticate')).toContain(
      `scope="repository:${repository}:pull"`,
    );
  });
});

describe('AcrRegistry.listReferrers', () => {
  it('lists referrers through the SDK pipeline, ACR token exchange included', async () => {
    const credential = new TestCredential();
    const requests: string[] = [];
    const registry = new AcrRegistry({
      registry: services.emulator.host,
      credential,
      onRequest: (operation) => requests.push(operation),
    });

    const found = await registry.listReferrers(repository, image.top.digest);

    expect(found?.map((d) => [d.digest, d.artifactType]).sort()).toEqual(
      [
        [signature.top.digest, NotarySignature],
        [sbom.top.digest, SpdxJson],
        [configTyped.top.digest, SpdxJson],
      ].sort(),
    );
    expect(found?.find((d) => d.digest === signature.top.digest)?.annotations).toMatchObject({
      'io.cncf.notary.x509chain.thumbprint#S256': expect.any(String),
    });
    expect(requests).toEqual(['list referrers']);
    const exchanged = (await emulator.exchanges()).map((exchange) => exchange.accessToken);
    expect(exchanged).toContain(credential.token);
    const served = { method: 'GET', route: 'referrers' as const, repository, status: 200 };
    expect(await emulator.count(served)).toBeGreaterThanOrEqual(1);
  });

  it('returns [] for an image nothing refers to', async () => {
    const registry = new AcrRegistry({
      registry: services.emulator.host,
      credential: new TestCredential(),
    });

    expect(await registry.listReferrers(repository, sbom.top.digest)).toEqual([]);
  });

  it('returns undefined from docker-registry, which has no referrers API', async () => {
    // Pushed straight to the registry: no emulator (and no ACR auth) in between.
    const direct = new PushClient({ url: services.registry.url });
    await pushFixture(direct, `${repository}-direct`, image);
    const registry = new AcrRegistry({
      registry: services.registry.host,
      credential: new TestCredential(),
    });

    expect(await registry.listReferrers(`${repository}-direct`, image.top.digest)).toBe(undefined);
  });
});
