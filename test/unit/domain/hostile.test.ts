import { describe, expect, it } from 'vitest';
import {
  ManifestError,
  maxManifestBytes,
  parseManifest,
  type ManifestErrorId,
} from '../../../src/domain/manifest.js';
import { evaluate } from '../../../src/domain/verdict.js';
import {
  Docker2Manifest,
  Docker2ManifestList,
  OCI1Index,
  OCI1LayerGzip,
  OCI1Manifest,
} from '../../../src/domain/media-types.js';
import type { ManifestBlob } from '../../../src/domain/model.js';
import { sha256, utf8 } from '../../fixtures/blobs.js';
import { catalogue, fixtureNamed } from '../../fixtures/manifests.js';

const digest = `sha256:${'a'.repeat(64)}`;
const layer = { mediaType: OCI1LayerGzip, digest, size: 32 };
const image = { schemaVersion: 2, mediaType: OCI1Manifest, config: layer, layers: [layer] };

function raw(text: string | Uint8Array, mediaType = OCI1Manifest): ManifestBlob {
  const content = typeof text === 'string' ? utf8(text) : text;
  return { digest: sha256(content), mediaType, content };
}

function json(body: unknown, mediaType = OCI1Manifest): ManifestBlob {
  return raw(JSON.stringify(body), mediaType);
}

interface Case {
  readonly name: string;
  readonly blob: ManifestBlob;
  readonly reason: ManifestErrorId;
  readonly path?: string;
}

const many = (n: number): unknown[] => Array.from({ length: n }, () => layer);

const cases: readonly Case[] = [
  { name: 'text that is not JSON', blob: raw('this is not json'), reason: 'manifest-invalid-json' },
  {
    name: 'bytes that are not UTF-8',
    blob: raw(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d)),
    reason: 'manifest-invalid-json',
  },
  { name: 'an empty body', blob: raw(''), reason: 'manifest-invalid-json' },
  { name: 'a JSON array', blob: raw('[1, 2]'), reason: 'manifest-not-object' },
  { name: 'JSON null', blob: raw('null'), reason: 'manifest-not-object' },
  { name: 'a JSON string', blob: raw('"manifest"'), reason: 'manifest-not-object' },
  {
    name: 'a body mediaType that contradicts the Content-Type',
    blob: json(image, Docker2Manifest),
    reason: 'manifest-media-type-mismatch',
    path: 'mediaType',
  },
  {
    name: 'a mediaType that is a number',
    blob: json({ ...image, mediaType: 7 }),
    reason: 'manifest-invalid-field',
    path: 'mediaType',
  },
  {
    name: 'no Content-Type and nothing to tell the type by',
    blob: json({ schemaVersion: 2, hello: 'world' }, ''),
    reason: 'manifest-unknown-media-type',
  },
  {
    name: 'a Content-Type that is no manifest type',
    blob: json({ schemaVersion: 2 }, 'application/vnd.example.thing+json'),
    reason: 'manifest-unsupported-media-type',
  },
  {
    name: 'schemaVersion 3',
    blob: json({ ...image, schemaVersion: 3 }),
    reason: 'manifest-unsupported-schema-version',
  },
  {
    name: 'schemaVersion as a string',
    blob: json({ ...image, schemaVersion: '2' }),
    reason: 'manifest-unsupported-schema-version',
  },
  {
    name: 'no config',
    blob: json({ ...image, config: undefined }),
    reason: 'manifest-missing-field',
    path: 'config',
  },
  {
    name: 'layers as an object',
    blob: json({ ...image, layers: { 0: layer } }),
    reason: 'manifest-invalid-field',
    path: 'layers',
  },
  {
    name: 'a bad layer digest',
    blob: json({ ...image, layers: [layer, layer, layer, { ...layer, digest: 'sha256:xyz' }] }),
    reason: 'manifest-invalid-digest',
    path: 'layers[3].digest',
  },
  {
    name: 'an md5 digest',
    blob: json({ ...image, config: { ...layer, digest: `md5:${'a'.repeat(32)}` } }),
    reason: 'manifest-invalid-digest',
    path: 'config.digest',
  },
  {
    name: 'a negative size',
    blob: json({ ...image, layers: [{ ...layer, size: -1 }] }),
    reason: 'manifest-invalid-field',
    path: 'layers[0].size',
  },
  {
    name: 'a fractional size',
    blob: json({ ...image, layers: [{ ...layer, size: 1.5 }] }),
    reason: 'manifest-invalid-field',
    path: 'layers[0].size',
  },
  {
    name: 'a size as a string',
    blob: json({ ...image, config: { ...layer, size: '32' } }),
    reason: 'manifest-invalid-field',
    path: 'config.size',
  },
  {
    name: 'a size past 2^53',
    blob: json({ ...image, config: { ...layer, size: 2 ** 60 } }),
    reason: 'manifest-invalid-field',
    path: 'config.size',
  },
  {
    name: 'a descriptor media type that is no media type',
    blob: json({ ...image, config: { ...layer, mediaType: 'config' } }),
    reason: 'manifest-invalid-field',
    path: 'config.mediaType',
  },
  {
    name: 'an annotation that is not a string',
    blob: json({ ...image, annotations: { a: 1 } }),
    reason: 'manifest-invalid-field',
    path: 'annotations["a"]',
  },
  {
    name: 'urls that are not strings',
    blob: json({ ...image, layers: [{ ...layer, urls: [1] }] }),
    reason: 'manifest-invalid-field',
    path: 'layers[0].urls[0]',
  },
  {
    name: 'data that is not base64',
    blob: json({ ...image, config: { ...layer, data: '!!' } }),
    reason: 'manifest-invalid-field',
    path: 'config.data',
  },
  {
    name: 'a subject without digest',
    blob: json({ ...image, subject: { ...layer, digest: undefined } }),
    reason: 'manifest-missing-field',
    path: 'subject.digest',
  },
  {
    name: 'a platform os that is a number',
    blob: json(
      {
        schemaVersion: 2,
        mediaType: OCI1Index,
        manifests: [
          { ...layer, mediaType: OCI1Manifest, platform: { os: 1, architecture: 'amd64' } },
        ],
      },
      OCI1Index,
    ),
    reason: 'manifest-invalid-field',
    path: 'manifests[0].platform.os',
  },
  {
    name: '10k layers',
    blob: json({ ...image, layers: many(10_000) }),
    reason: 'manifest-too-many-descriptors',
    path: 'layers',
  },
  {
    name: '10k index entries',
    blob: json(
      { schemaVersion: 2, mediaType: Docker2ManifestList, manifests: many(10_000) },
      Docker2ManifestList,
    ),
    reason: 'manifest-too-many-descriptors',
    path: 'manifests',
  },
  {
    name: 'deep nesting',
    blob: raw(`{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    reason: 'manifest-too-deep',
  },
  {
    name: 'a body over 4 MiB',
    blob: raw(`{"pad":"${' '.repeat(maxManifestBytes)}"}`),
    reason: 'manifest-too-large',
  },
  {
    name: 'bytes that do not match the digest',
    blob: { ...json(image), digest },
    reason: 'manifest-digest-mismatch',
  },
  {
    name: 'a digest that is not one',
    blob: { ...json(image), digest: 'latest' },
    reason: 'manifest-invalid-digest',
  },
];

describe('hostile manifests', () => {
  it.each(cases)('refuses $name with $reason', ({ blob, reason, path }) => {
    let caught: unknown;
    try {
      parseManifest(blob);
    } catch (err) {
      caught = err;
    }

    expect(caught).toBeInstanceOf(ManifestError);
    const error = caught as ManifestError;
    expect(error.reason).toBe(reason);
    if (path !== undefined) {
      expect(error.path).toBe(path);
      expect(error.message).toContain(`manifest ${blob.digest}: ${path}: `);
    }
  });

  it.each(cases)('gives $name a verdict, never a throw', ({ blob, reason }) => {
    const verdict = evaluate(
      { repository: 'example/app', top: blob, children: new Map() },
      { policy: 'strict', exemptRepositories: [] },
    );

    const unknownType = reason === 'manifest-unsupported-media-type';
    expect(verdict.status).toBe(unknownType ? 'noncompliant' : 'error');
    expect(verdict.reasons.map((r) => r.id)).toEqual([unknownType ? 'unknown-media-type' : reason]);
    expect(verdict.kind).toBe('unknown');
    expect(verdict.convertible).toBe(false);
    expect(verdict.reasons[0]!.message.length).toBeLessThan(600);
  });

  it('keeps a __proto__ annotation a plain key', () => {
    const annotations = '"annotations":{"__proto__":"x"}';
    const blob = raw(
      `{"schemaVersion":2,"config":${JSON.stringify(layer)},"layers":[],${annotations}}`,
    );
    const manifest = parseManifest(blob);

    expect(manifest.form === 'image' && Object.keys(manifest.annotations ?? {})).toEqual([
      '__proto__',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('gives a verdict when the input is not even shaped like a blob', () => {
    const top = { digest: 42, mediaType: null, content: 'text' } as unknown as ManifestBlob;
    const verdict = evaluate(
      { repository: 'x', top, children: new Map() },
      { policy: 'strict', exemptRepositories: [] },
    );

    expect(verdict.status).toBe('error');
    expect(verdict.reasons[0]?.id).toBe('manifest-invalid-digest');
  });
});

/** A small deterministic generator, so a failure reproduces. */
function* mutations(seed: number, count: number): Generator<number> {
  let state = seed;
  for (let i = 0; i < count; i += 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    yield state;
  }
}

describe('mangled fixtures', () => {
  const victims = catalogue.filter((f) => f.name !== 'docker-schema1');

  it.each(victims.map((f) => ({ name: f.name })))('never throws on mangled $name', ({ name }) => {
    const f = fixtureNamed(name);
    for (const n of mutations(name.length, 200)) {
      const bytes = Uint8Array.from(f.top.content);
      const at = n % bytes.length;
      if (n % 3 === 0) bytes[at] = n % 256;
      const content = n % 3 === 1 ? bytes.subarray(0, at) : bytes;
      const top = { mediaType: f.top.mediaType, content, digest: sha256(content) };

      const verdict = evaluate(
        { repository: 'example/app', tag: f.tag, top, children: f.children },
        { policy: 'strict', exemptRepositories: [] },
      );
      expect(['compliant', 'noncompliant', 'exempt', 'error']).toContain(verdict.status);
    }
  });
});
