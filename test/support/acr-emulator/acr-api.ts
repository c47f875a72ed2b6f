/**
 * ACR's own /acr/v1 metadata API, the subset @azure/container-registry 1.1.2 calls. Shapes
 * follow the SDK's generated mappers (Repositories, TagList, ArtifactTagProperties,
 * AcrManifests, ArtifactManifestProperties, ContainerRepositoryProperties) and ACR's
 * recorded answers: paging by `n` and `last` with a relative
 * `Link: </acr/v1/...?last=X&n=N>; rel="next"`, `orderby=timedesc|timeasc`, attributes
 * under `changeableAttributes`, items with listEnabled=false left out of lists.
 *
 * This file routes and answers the catalog and repository calls; tags and manifests have
 * their own files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getManifest, listManifests, patchManifest } from './acr-manifests.js';
import { deleteTag, getTag, listTags, patchTag } from './acr-tags.js';
import { denied, readJson, sendJson } from './http.js';
import {
  linkHeader,
  paginate,
  parseAttributes,
  repositoryOf,
  unknownRepository,
  type AcrApiContext,
  type Handler,
} from './listing.js';
import type { RequestTarget } from './paths.js';

export type { AcrApiContext } from './listing.js';

/** Answers the request when it is an /acr/v1 route we know; false otherwise. */
export async function handleAcrApi(
  context: AcrApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<boolean> {
  const handler = handlers[`${req.method ?? ''} ${target.route}`];
  if (!handler) return false;
  await handler(context, req, res, target);
  return true;
}

async function catalog(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const names = (await context.upstream.repositories()).sort();
  const page = paginate(names, (name) => name, target.query);
  sendJson(
    res,
    200,
    { repositories: page.items },
    linkHeader('/acr/v1/_catalog', page.next, target),
  );
}

async function getRepository(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  sendJson(res, 200, await repositoryJson(context, repositoryOf(target)));
}

async function patchRepository(
  context: AcrApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  await repositoryJson(context, repository); // 404 before any change
  context.state.setRepository(repository, parseAttributes(await readJson(req)));
  sendJson(res, 200, await repositoryJson(context, repository));
}

async function deleteRepository(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  const manifests = await context.inventory.manifests(repository);
  if (!manifests) throw unknownRepository(repository);
  if (!context.state.repository(repository).deleteEnabled) {
    throw denied(`delete of repository ${repository} is disabled (deleteEnabled=false)`);
  }
  await context.upstream.removeRepository(repository);
  context.state.repositoryDeleted(repository);
  sendJson(res, 202, {
    manifestsDeleted: manifests.map((m) => m.facts.digest),
    tagsDeleted: manifests.flatMap((m) => m.tags),
  });
}

async function repositoryJson(context: AcrApiContext, repository: string) {
  const manifests = await context.inventory.manifests(repository);
  if (!manifests) throw unknownRepository(repository);
  const times = manifests.map((m) => m.createdTime).sort();
  const updates = manifests.map((m) => m.lastUpdateTime).sort();
  const now = new Date().toISOString();
  return {
    registry: context.host,
    imageName: repository,
    createdTime: times[0] ?? now,
    lastUpdateTime: updates[updates.length - 1] ?? now,
    manifestCount: manifests.length,
    tagCount: manifests.reduce((sum, m) => sum + m.tags.length, 0),
    changeableAttributes: { ...context.state.repository(repository), teleportEnabled: false },
  };
}

const handlers: Record<string, Handler> = {
  'GET acr-catalog': catalog,
  'GET acr-repository': getRepository,
  'PATCH acr-repository': patchRepository,
  'DELETE acr-repository': deleteRepository,
  'GET acr-tags': listTags,
  'GET acr-tag': getTag,
  'PATCH acr-tag': patchTag,
  'DELETE acr-tag': deleteTag,
  'GET acr-manifests': listManifests,
  'GET acr-manifest': getManifest,
  'PATCH acr-manifest': patchManifest,
};
