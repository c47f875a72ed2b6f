/**
 * Reads converter output back through the app's own manifest parser, as the scanner would read
 * it after the push: the parser also checks the bytes hash to the digest and that the body's
 * mediaType matches the Content-Type.
 */

import { parseManifest } from '../../../src/domain/manifest.js';
import type { ConvertedManifest } from '../../../src/domain/convert.js';
import type { ImageManifest, IndexManifest } from '../../../src/domain/model.js';

export function reparse(converted: ConvertedManifest): ImageManifest | IndexManifest {
  const manifest = parseManifest(converted);
  if (manifest.form === 'schema1') {
    throw new Error(`${converted.digest}: expected an image or index, got schema 1`);
  }
  return manifest;
}
