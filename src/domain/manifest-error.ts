/**
 * The one error a manifest can raise: the bytes a registry served are not a manifest this app
 * can trust. Callers act on `reason`, a stable id that goes into the verdict as is.
 */

export type ManifestErrorId =
  | 'manifest-too-large'
  | 'manifest-too-deep'
  | 'manifest-invalid-json'
  | 'manifest-not-object'
  | 'manifest-invalid-digest'
  | 'manifest-digest-mismatch'
  | 'manifest-media-type-mismatch'
  | 'manifest-unknown-media-type'
  | 'manifest-unsupported-media-type'
  | 'manifest-unsupported-schema-version'
  | 'manifest-missing-field'
  | 'manifest-invalid-field'
  | 'manifest-too-many-descriptors';

export const manifestErrorIds: readonly ManifestErrorId[] = [
  'manifest-too-large',
  'manifest-too-deep',
  'manifest-invalid-json',
  'manifest-not-object',
  'manifest-invalid-digest',
  'manifest-digest-mismatch',
  'manifest-media-type-mismatch',
  'manifest-unknown-media-type',
  'manifest-unsupported-media-type',
  'manifest-unsupported-schema-version',
  'manifest-missing-field',
  'manifest-invalid-field',
  'manifest-too-many-descriptors',
];

export class ManifestError extends Error {
  override readonly name = 'ManifestError';

  /**
   * @param reason stable id, recorded in the verdict
   * @param message names the manifest digest and the field path (`layers[3].digest`), what was
   *   expected and what came
   * @param path the field path, when the problem is one field
   */
  constructor(
    readonly reason: ManifestErrorId,
    message: string,
    readonly path?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function isManifestError(value: unknown): value is ManifestError {
  return value instanceof ManifestError;
}

/** A short, safe rendering of an untrusted value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 80 ? `${value.slice(0, 80)}...` : value;
    return `${JSON.stringify(shown)}${value.length > 80 ? ` (${value.length} chars)` : ''}`;
  }
  return `${typeof value} ${String(value)}`;
}
