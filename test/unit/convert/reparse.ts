/**
 * Reads converter output back into the model, for the idempotence property. Deliberately
 * strict and narrow: it only understands the two Docker schema 2 shapes the converter writes,
 * and throws naming the field when anything else came.
 */

import { Docker2Manifest, Docker2ManifestList } from '../../../src/domain/media-types.js';
import type { ConvertedManifest } from '../../../src/domain/convert.js';
import type { Descriptor, ImageManifest, IndexManifest } from '../../../src/domain/model.js';
import { bodyOf } from './builders.js';

export function reparse(converted: ConvertedManifest): ImageManifest | IndexManifest {
  const body = bodyOf(converted.content);
  if (body['mediaType'] !== converted.mediaType) {
    throw new Error(`mediaType: expected '${converted.mediaType}', got '${body['mediaType']}'`);
  }
  if (converted.mediaType === Docker2Manifest) {
    return {
      form: 'image',
      mediaType: converted.mediaType,
      config: body['config'] as Descriptor,
      layers: body['layers'] as Descriptor[],
    };
  }
  if (converted.mediaType === Docker2ManifestList) {
    const manifests = body['manifests'] as Descriptor[];
    return { form: 'index', mediaType: converted.mediaType, manifests };
  }
  throw new Error(`mediaType: expected a Docker schema 2 type, got '${converted.mediaType}'`);
}
