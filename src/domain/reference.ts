/**
 * A parsed image reference: registry, repository, and a tag, a digest or both.
 * Every place that names an image goes through this type.
 */

const digestPattern = /^sha256:[a-f0-9]{64}$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// Per the distribution spec: path components of lower-case alphanumerics and separators.
const repositoryPattern =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const registryPattern = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$/;

export class ReferenceError extends Error {
  override readonly name = 'ReferenceError';
}

export interface Reference {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export function isDigest(value: string): boolean {
  return digestPattern.test(value);
}

export function isTag(value: string): boolean {
  return tagPattern.test(value);
}

export function isRepository(value: string): boolean {
  return value.length <= 255 && repositoryPattern.test(value);
}

export function isRegistry(value: string): boolean {
  return value.length <= 253 && registryPattern.test(value);
}

/** Builds a reference from parts, checking each one. */
export function makeReference(parts: Reference): Reference {
  const { registry, repository, tag, digest } = parts;
  if (!isRegistry(registry)) throw new ReferenceError(`invalid registry "${registry}"`);
  if (!isRepository(repository)) throw new ReferenceError(`invalid repository "${repository}"`);
  if (tag !== undefined && !isTag(tag)) throw new ReferenceError(`invalid tag "${tag}"`);
  if (digest !== undefined && !isDigest(digest)) {
    throw new ReferenceError(`invalid digest "${digest}": expected sha256:<64 hex>`);
  }
  return {
    registry: registry.toLowerCase(),
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * Parses `registry/repository[:tag][@digest]`. The registry part is required: this app
 * only talks to registries it is told about, so there is no implicit docker.io.
 */
export function parseReference(text: string): Reference {
  const input = text.trim();
  const slash = input.indexOf('/');
  if (slash <= 0) {
    throw new ReferenceError(
      `reference "${text}" has no registry: expected REGISTRY/REPOSITORY:TAG`,
    );
  }
  const registry = input.slice(0, slash);
  let rest = input.slice(slash + 1);

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (tag === undefined && digest === undefined) tag = 'latest';

  try {
    return makeReference({ registry, repository: rest, tag, digest });
  } catch (err) {
    throw new ReferenceError(`reference "${text}": ${(err as Error).message}`, { cause: err });
  }
}

/** The usual spelling: registry/repository:tag@digest (tag and digest when present). */
export function commonName(ref: Reference): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) name += `:${ref.tag}`;
  if (ref.digest !== undefined) name += `@${ref.digest}`;
  return name;
}

/** What to fetch by: the digest when known (tags move), else the tag. */
export function tagOrDigest(ref: Reference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
