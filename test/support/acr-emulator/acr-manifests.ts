/**
 * GET /acr/v1/{name}/_manifests (AcrManifests), GET/PATCH /acr/v1/{name}/_manifests/{ref}
 * (ArtifactManifestProperties), where ACR takes a tag or a digest as the reference.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDigest } from '../../../src/domain/reference.js';
import { notFound, readJson, sendJson } from './http.js';
import type { ManifestView } from './inventory.js';
import {
  parseAttributes,
  referenceOf,
  repositoryOf,
  sendRepositoryPage,
  unknownRepository,
  type AcrApiContext,
} from './listing.js';
import type { RequestTarget } from './paths.js';

export async function listManifests(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  const manifests = await context.inventory.manifests(repository);
  if (!manifests) throw unknownRepository(repository);
  const listed = manifests.filter((m) => m.attributes.listEnabled);
  sendRepositoryPage(res, context, target, {
    repository,
    route: '_manifests',
    field: 'manifests',
    items: listed,
    key: (m: ManifestView) => m.facts.digest,
    toJson: manifestJson,
  });
}

export async function getManifest(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  const view = await findManifest(context, repository, referenceOf(target));
  sendJson(res, 200, {
    registry: context.host,
    imageName: repository,
    manifest: manifestJson(view),
  });
}

export async function patchManifest(
  context: AcrApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  const before = await findManifest(context, repository, referenceOf(target));
  context.state.setManifest(repository, before.facts.digest, parseAttributes(await readJson(req)));
  const view = await findManifest(context, repository, before.facts.digest);
  sendJson(res, 200, {
    registry: context.host,
    imageName: repository,
    manifest: manifestJson(view),
  });
}

/** ACR takes a tag or a digest as the manifest reference here. */
async function findManifest(context: AcrApiContext, repository: string, reference: string) {
  const digest = isDigest(reference)
    ? reference
    : (await context.inventory.tag(repository, reference))?.digest;
  const view = digest ? await context.inventory.manifest(repository, digest) : undefined;
  if (!view) throw notFound('MANIFEST_UNKNOWN', `manifest ${repository}@${reference} is not found`);
  return view;
}

function manifestJson(view: ManifestView) {
  const { facts } = view;
  return {
    digest: facts.digest,
    imageSize: facts.imageSize,
    createdTime: view.createdTime,
    lastUpdateTime: view.lastUpdateTime,
    ...(facts.architecture ? { architecture: facts.architecture } : {}),
    ...(facts.os ? { os: facts.os } : {}),
    mediaType: facts.mediaType,
    ...(facts.configMediaType ? { configMediaType: facts.configMediaType } : {}),
    ...(facts.references ? { references: facts.references } : {}),
    tags: view.tags,
    changeableAttributes: view.attributes,
  };
}
