/**
 * Typed readers for the fields of an untrusted manifest body. Each one checks one field and,
 * when it is wrong, throws a ManifestError naming the manifest digest, the field path
 * (`manifests[2].platform.os`), what was expected and what came.
 */

import type { Descriptor, Platform } from './model.js';
import { ManifestError, describeValue, type ManifestErrorId } from './manifest-error.js';

/**
 * At most this many layers or index entries. overlay2 stacks at most 128 layers and the
 * largest real indexes list a few dozen platforms, so 1000 leaves room for anything real; a
 * list of thousands is crafted, and every index entry costs a registry request inside Event
 * Grid's 30 s window.
 */
export const maxDescriptors = 1000;
/** Annotations per map and URLs per descriptor; real manifests carry a handful. */
export const maxMapEntries = 1000;
export const maxUrls = 100;
/** RFC 6838 caps type and subtype at 127 characters each; parameters come on top. */
export const maxMediaTypeLength = 255;
const maxPlatformFieldLength = 255;
const maxUrlLength = 2048;

// Per the OCI image spec, the registered algorithms, each with its fixed hex length.
const digestPattern = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
// RFC 6838 restricted names, then optional parameters (`;version=0.2`).
const mediaTypePattern =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;\s*[^;]+)*$/;
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export type Json = Readonly<Record<string, unknown>>;

export function isDigestString(value: string): boolean {
  return digestPattern.test(value);
}

export class FieldReader {
  constructor(private readonly digest: string) {}

  fail(reason: ManifestErrorId, path: string, problem: string): never {
    throw new ManifestError(reason, `manifest ${this.digest}: ${path}: ${problem}`, path);
  }

  invalid(path: string, expected: string, got: unknown): never {
    return this.fail(
      'manifest-invalid-field',
      path,
      `expected ${expected}, got ${describeValue(got)}`,
    );
  }

  object(value: unknown, path: string): Json {
    if (value === undefined) this.fail('manifest-missing-field', path, 'expected an object');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.invalid(path, 'an object', value);
    }
    return value as Json;
  }

  string(value: unknown, path: string, maxLength = maxMediaTypeLength): string {
    if (value === undefined) this.fail('manifest-missing-field', path, 'expected a string');
    if (typeof value !== 'string') return this.invalid(path, 'a string', value);
    if (value.length > maxLength) return this.invalid(path, `at most ${maxLength} chars`, value);
    return value;
  }

  optionalString(value: unknown, path: string, maxLength?: number): string | undefined {
    return value === undefined ? undefined : this.string(value, path, maxLength);
  }

  mediaType(value: unknown, path: string): string {
    const text = this.string(value, path);
    if (!mediaTypePattern.test(text))
      return this.invalid(path, 'a media type (type/subtype)', text);
    return text;
  }

  optionalMediaType(value: unknown, path: string): string | undefined {
    return value === undefined ? undefined : this.mediaType(value, path);
  }

  digestField(value: unknown, path: string): string {
    const text = this.string(value, path, 200);
    if (!digestPattern.test(text)) {
      this.fail(
        'manifest-invalid-digest',
        path,
        `expected sha256:<64 hex> or sha512:<128 hex>, got ${describeValue(text)}`,
      );
    }
    return text;
  }

  size(value: unknown, path: string): number {
    if (value === undefined) this.fail('manifest-missing-field', path, 'expected a size');
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      return this.invalid(path, 'a non-negative integer', value);
    }
    return value;
  }

  /** An array of at most `limit` items; `tooMany` names the reason for a longer one. */
  array(value: unknown, path: string, limit: number): readonly unknown[] {
    if (value === undefined) this.fail('manifest-missing-field', path, 'expected an array');
    if (!Array.isArray(value)) return this.invalid(path, 'an array', value);
    if (value.length > limit) {
      this.fail(
        'manifest-too-many-descriptors',
        path,
        `expected at most ${limit} entries, got ${value.length}`,
      );
    }
    return value;
  }

  stringMap(value: unknown, path: string): Readonly<Record<string, string>> | undefined {
    if (value === undefined) return undefined;
    const map = this.object(value, path);
    const entries = Object.entries(map);
    if (entries.length > maxMapEntries) {
      this.invalid(path, `at most ${maxMapEntries} entries`, `${entries.length} entries`);
    }
    for (const [key, entry] of entries) {
      if (typeof entry !== 'string')
        this.invalid(`${path}[${JSON.stringify(key)}]`, 'a string', entry);
    }
    // fromEntries defines own properties, so a `__proto__` key stays a plain key.
    return Object.fromEntries(entries) as Record<string, string>;
  }

  stringArray(value: unknown, path: string, limit: number, maxLength: number): readonly string[] {
    const items = this.array(value, path, limit);
    return items.map((item, i) => this.string(item, `${path}[${i}]`, maxLength));
  }

  descriptor(value: unknown, path: string): Descriptor {
    const body = this.object(value, path);
    const mediaType = this.mediaType(body.mediaType, `${path}.mediaType`);
    const digest = this.digestField(body.digest, `${path}.digest`);
    const size = this.size(body.size, `${path}.size`);
    const urls =
      body.urls === undefined
        ? undefined
        : this.stringArray(body.urls, `${path}.urls`, maxUrls, maxUrlLength);
    const annotations = this.stringMap(body.annotations, `${path}.annotations`);
    const platform =
      body.platform === undefined ? undefined : this.platform(body.platform, `${path}.platform`);
    const artifactType = this.optionalMediaType(body.artifactType, `${path}.artifactType`);
    const data = this.data(body.data, `${path}.data`);
    return {
      mediaType,
      digest,
      size,
      ...(urls !== undefined ? { urls } : {}),
      ...(annotations !== undefined ? { annotations } : {}),
      ...(platform !== undefined ? { platform } : {}),
      ...(artifactType !== undefined ? { artifactType } : {}),
      ...(data !== undefined ? { data } : {}),
    };
  }

  descriptors(value: unknown, path: string): readonly Descriptor[] {
    const items = this.array(value, path, maxDescriptors);
    return items.map((item, i) => this.descriptor(item, `${path}[${i}]`));
  }

  platform(value: unknown, path: string): Platform {
    const body = this.object(value, path);
    const max = maxPlatformFieldLength;
    const variant = this.optionalString(body.variant, `${path}.variant`, max);
    const osVersion = this.optionalString(body['os.version'], `${path}["os.version"]`, max);
    const features = body['os.features'];
    const osFeatures =
      features === undefined
        ? undefined
        : this.stringArray(features, `${path}["os.features"]`, maxUrls, max);
    return {
      architecture: this.string(body.architecture, `${path}.architecture`, max),
      os: this.string(body.os, `${path}.os`, max),
      ...(variant !== undefined ? { variant } : {}),
      ...(osVersion !== undefined ? { 'os.version': osVersion } : {}),
      ...(osFeatures !== undefined ? { 'os.features': osFeatures } : {}),
    };
  }

  private data(value: unknown, path: string): string | undefined {
    if (value === undefined) return undefined;
    const text = this.string(value, path, Number.MAX_SAFE_INTEGER);
    if (text.length % 4 !== 0 || !base64Pattern.test(text)) {
      return this.invalid(path, 'base64 data', text);
    }
    return text;
  }
}
