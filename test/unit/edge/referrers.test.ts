/**
 * The referrers lookup as the ACR adapter sends it, against a plain fake of the SDK's
 * ServiceClient: the answer is untrusted (an OCI index, bounded in bytes, entries and pages,
 * pages only on the registry), a 404 means "no referrers API" unless the repository is
 * unknown; and the SDK's pipeline is found where the adapter looks for it, in a real client.
 */
import { Readable } from 'node:stream';
import { ContainerRegistryContentClient } from '@azure/container-registry';
import {
  createHttpHeaders,
  RestError,
  type PipelineRequest,
  type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import {
  Docker2ManifestList,
  NotarySignature,
  OCI1Index,
  OCI1Manifest,
  SpdxJson,
} from '../../../src/domain/media-types.js';
import type { Descriptor } from '../../../src/domain/model.js';
import { RegistryError } from '../../../src/registry/port.js';
import {
  listReferrers,
  parseReferrersIndex,
  referrersLimits,
  senderOf,
  type RequestSender,
} from '../../../src/registry/referrers.js';
import { TestCredential } from '../../support/credential.js';

const endpoint = 'https://reg.example';
const subject = `sha256:${'a'.repeat(64)}`;
const request = { endpoint, repository: 'team/app', digest: subject };
const where = `reg.example/team/app@${subject}`;

function descriptor(n: number, artifactType: string): Descriptor {
  return {
    mediaType: OCI1Manifest,
    digest: `sha256:${String(n).repeat(64)}`,
    size: n,
    artifactType,
  };
}

const notation = descriptor(1, NotarySignature);
const sbom = descriptor(2, SpdxJson);

function indexOf(manifests: readonly unknown[]): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI1Index, manifests });
}

interface Answer {
  readonly status?: number;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
}

/** Answers each request with the next answer, streaming 200 bodies as the SDK does. */
function sender(...answers: Answer[]) {
  const seen: PipelineRequest[] = [];
  const fake: RequestSender = {
    sendRequest: async (req) => {
      seen.push(req);
      const answer = answers.shift();
      if (answer === undefined) throw new Error(`unexpected request ${req.url}`);
      const status = answer.status ?? 200;
      const headers = createHttpHeaders({ 'content-type': OCI1Index, ...answer.headers });
      const body = answer.body ?? indexOf([]);
      const response: PipelineResponse = { request: req, status, headers };
      if (req.streamResponseStatusCodes?.has(status)) {
        return { ...response, readableStreamBody: Readable.from([Buffer.from(body)]) };
      }
      return { ...response, bodyAsText: body.toString() };
    },
  };
  return { fake, seen };
}

describe('listReferrers', () => {
  it('asks the referrers route for the digest and returns the index entries', async () => {
    const { fake, seen } = sender({ body: indexOf([notation, sbom]) });

    expect(await listReferrers(fake, request)).toEqual([notation, sbom]);
    expect(seen.map((r) => [r.method, r.url])).toEqual([
      ['GET', `${endpoint}/v2/team/app/referrers/${subject}`],
    ]);
    expect(seen[0]?.headers.get('accept')).toBe(OCI1Index);
  });

  it('returns an empty list for an empty index, which is not the same as no API', async () => {
    expect(await listReferrers(sender({ body: indexOf([]) }).fake, request)).toEqual([]);
  });

  it('reads a 404 as a registry without the referrers API (distribution 2.8)', async () => {
    const { fake } = sender({ status: 404, body: '404 page not found\n' });

    expect(await listReferrers(fake, request)).toBeUndefined();
  });

  it('reads a 404 naming NAME_UNKNOWN as an unknown repository, not a missing API', async () => {
    const body = JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'no repo' }] });
    const { fake } = sender({ status: 404, body });

    const failure = listReferrers(fake, request);

    await expect(failure).rejects.toBeInstanceOf(RestError);
    await expect(failure).rejects.toMatchObject({ statusCode: 404, code: 'NAME_UNKNOWN' });
  });

  it.each([401, 429, 500, 503])(
    'throws a RestError with status %i for the adapter to sort',
    async (status) => {
      const body = JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] });

      const failure = listReferrers(sender({ status, body }).fake, request);

      await expect(failure).rejects.toMatchObject({ name: 'RestError', statusCode: status });
      await expect(failure).rejects.toThrow(
        `referrers of ${where}: expected 200 or 404, got ${status}`,
      );
    },
  );

  it('follows Link rel="next" pages on the registry and joins them', async () => {
    const next = `</v2/team/app/referrers/${subject}?last=x>; rel="next"`;
    const { fake, seen } = sender(
      { body: indexOf([notation]), headers: { link: next } },
      { body: indexOf([sbom]) },
    );

    expect(await listReferrers(fake, request)).toEqual([notation, sbom]);
    expect(seen[1]?.url).toBe(`${endpoint}/v2/team/app/referrers/${subject}?last=x`);
  });

  it('refuses a next page on another host, where the registry token must not go', async () => {
    const link = '<https://elsewhere.example/v2/x>; rel="next"';
    const { fake, seen } = sender({ body: indexOf([notation]), headers: { link } });

    await expect(listReferrers(fake, request)).rejects.toThrow(
      `referrers of ${where}: expected the next page on ${endpoint}, got https://elsewhere.example`,
    );
    expect(seen).toHaveLength(1);
  });

  it('stops after the page limit rather than follow a registry forever', async () => {
    const link = `</v2/team/app/referrers/${subject}?page>; rel="next"`;
    const pages = Array.from({ length: referrersLimits.maxPages + 1 }, () => ({
      body: indexOf([]),
      headers: { link },
    }));

    await expect(listReferrers(sender(...pages).fake, request)).rejects.toThrow(
      `expected at most ${referrersLimits.maxPages} pages`,
    );
  });

  it('refuses more referrers than the limit across pages', async () => {
    const half = Array.from({ length: 600 }, (_, i) => ({
      ...notation,
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
    }));
    const link = `</v2/team/app/referrers/${subject}?last=1>; rel="next"`;
    const { fake } = sender({ body: indexOf(half), headers: { link } }, { body: indexOf(half) });

    await expect(listReferrers(fake, request)).rejects.toThrow(
      `expected at most ${referrersLimits.maxDescriptors} referrers`,
    );
  });

  it.each([
    ['a Content-Length over the limit', { 'content-length': String(5 * 1024 * 1024) }, indexOf([])],
    ['a body over the limit', {}, Buffer.alloc(referrersLimits.maxPageBytes + 1, 0x20)],
  ])('refuses an answer with %s, for good', async (_label, headers, body) => {
    const failure = listReferrers(sender({ headers, body }).fake, request);

    await expect(failure).rejects.toBeInstanceOf(RegistryError);
    await expect(failure).rejects.toMatchObject({ transient: false });
    await expect(failure).rejects.toThrow(`expected at most ${referrersLimits.maxPageBytes} bytes`);
  });
});

describe('parseReferrersIndex', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('accepts an OCI index served as plain JSON, telling it by its body', () => {
    expect(parseReferrersIndex(bytes(indexOf([sbom])), 'application/json', where)).toEqual([sbom]);
  });

  it.each([
    ['HTML', 'text/html', '<html>oops</html>'],
    ['not JSON', OCI1Index, '{"manifests": ['],
    ['a Docker list', Docker2ManifestList, indexOf([])],
    [
      'an image manifest',
      OCI1Manifest,
      JSON.stringify({ schemaVersion: 2, config: sbom, layers: [] }),
    ],
    ['a bad digest', OCI1Index, indexOf([{ ...sbom, digest: 'sha256:nothex' }])],
    ['a negative size', OCI1Index, indexOf([{ ...sbom, size: -1 }])],
    ['annotations that are not strings', OCI1Index, indexOf([{ ...sbom, annotations: { a: 1 } }])],
    ['no manifests', OCI1Index, JSON.stringify({ schemaVersion: 2, mediaType: OCI1Index })],
  ])('refuses %s for good, naming the reference', (_label, contentType, body) => {
    const parse = () => parseReferrersIndex(bytes(body), contentType, where);

    expect(parse).toThrow(RegistryError);
    expect(parse).toThrow(`referrers of ${where}: expected an OCI image index`);
  });
});

describe('senderOf', () => {
  it('finds the ServiceClient inside @azure/container-registry content client', () => {
    const content = new ContainerRegistryContentClient(endpoint, 'team/app', new TestCredential());

    expect(typeof senderOf(content).sendRequest).toBe('function');
  });

  it('fails clearly when the SDK no longer has it where expected', () => {
    const changed = {} as ContainerRegistryContentClient;

    expect(() => senderOf(changed)).toThrow(/expected @azure\/container-registry 1\.1/);
  });
});
