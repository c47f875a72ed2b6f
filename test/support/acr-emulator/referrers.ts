/**
 * GET /v2/{name}/referrers/{digest}, the OCI distribution 1.1 referrers API that ACR serves
 * and distribution 2.8 lacks. As the spec says: the route exists for every digest (an unknown
 * subject gets an empty index, never a 404), the answer is an OCI image index of descriptors
 * (mediaType, digest, size, artifactType, annotations) of the repository's manifests whose
 * `subject` is that digest, and `?artifactType=` filters it, announced with
 * `OCI-Filters-Applied: artifactType`.
 *
 * The manifests are those the inventory knows: tagged, pushed through the emulator (how
 * referrers are pushed, by digest) or referenced by an index.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OCI1Index } from '../../../src/domain/media-types.js';
import { isDigest } from '../../../src/domain/reference.js';
import { HttpError, notFound, sendJson } from './http.js';
import type { Inventory, ManifestView } from './inventory.js';
import type { RequestTarget } from './paths.js';

export interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

export async function handleReferrers(
  inventory: Inventory,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError(405, { code: 'UNSUPPORTED', message: `${req.method ?? ''} referrers` });
  }
  const { repository, reference: digest } = target;
  if (!repository || !digest || !isDigest(digest)) {
    const got = digest ?? '';
    throw new HttpError(400, {
      code: 'DIGEST_INVALID',
      message: `referrers digest: expected sha256:<64 hex> or sha512:<128 hex>, got "${got}"`,
    });
  }
  const manifests = await inventory.manifests(repository);
  if (!manifests) {
    throw notFound('NAME_UNKNOWN', `repository name ${repository} not known to registry`);
  }

  const wanted = target.query.get('artifactType') ?? '';
  const referrers = manifests
    .filter((view) => view.facts.subject === digest)
    .map(descriptorOf)
    .filter((descriptor) => wanted === '' || descriptor.artifactType === wanted)
    .sort((a, b) => a.digest.localeCompare(b.digest));
  const filtered = wanted === '' ? {} : { 'OCI-Filters-Applied': 'artifactType' };
  sendJson(
    res,
    200,
    { schemaVersion: 2, mediaType: OCI1Index, manifests: referrers },
    { 'Content-Type': OCI1Index, ...filtered },
  );
}

/** The spec's artifactType: the manifest's own, else its config media type (images only). */
function descriptorOf(view: ManifestView): ReferrerDescriptor {
  const { facts } = view;
  const artifactType = facts.artifactType ?? facts.configMediaType;
  return {
    mediaType: facts.mediaType,
    digest: facts.digest,
    size: facts.size,
    ...(artifactType !== undefined ? { artifactType } : {}),
    ...(facts.annotations !== undefined ? { annotations: facts.annotations } : {}),
  };
}
