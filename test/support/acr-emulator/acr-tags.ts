/**
 * GET /acr/v1/{name}/_tags (TagList), GET/PATCH/DELETE /acr/v1/{name}/_tags/{tag}
 * (ArtifactTagProperties). Deleting a tag untags only, as in ACR: the manifest stays.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { denied, notFound, readJson, sendJson } from './http.js';
import type { TagView } from './inventory.js';
import {
  parseAttributes,
  referenceOf,
  repositoryOf,
  sendRepositoryPage,
  unknownRepository,
  type AcrApiContext,
} from './listing.js';
import type { RequestTarget } from './paths.js';

export async function listTags(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const repository = repositoryOf(target);
  const tags = await context.inventory.tags(repository);
  if (!tags) throw unknownRepository(repository);
  const digest = target.query.get('digest');
  const listed = tags.filter((t) => t.attributes.listEnabled && (!digest || t.digest === digest));
  sendRepositoryPage(res, context, target, {
    repository,
    route: '_tags',
    field: 'tags',
    items: listed,
    key: (t) => t.name,
    toJson: tagJson,
  });
}

export async function getTag(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const [repository, tag] = [repositoryOf(target), referenceOf(target)];
  sendJson(
    res,
    200,
    tagEnvelope(context.host, repository, await findTag(context, repository, tag)),
  );
}

export async function patchTag(
  context: AcrApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const [repository, tag] = [repositoryOf(target), referenceOf(target)];
  await findTag(context, repository, tag);
  context.state.setTag(repository, tag, parseAttributes(await readJson(req)));
  sendJson(
    res,
    200,
    tagEnvelope(context.host, repository, await findTag(context, repository, tag)),
  );
}

export async function deleteTag(
  context: AcrApiContext,
  _req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
) {
  const [repository, tag] = [repositoryOf(target), referenceOf(target)];
  const view = await findTag(context, repository, tag);
  if (!view.attributes.deleteEnabled || !view.attributes.writeEnabled) {
    throw denied(`delete of ${repository}:${tag} is disabled (deleteEnabled/writeEnabled)`);
  }
  await context.upstream.untag(repository, tag);
  context.state.tagDeleted(repository, tag);
  res.writeHead(202, { 'Content-Length': 0 }).end();
}

async function findTag(context: AcrApiContext, repository: string, tag: string): Promise<TagView> {
  const view = await context.inventory.tag(repository, tag);
  if (!view) {
    throw notFound('TAG_UNKNOWN', `the specified tag "${tag}" does not exist in ${repository}`);
  }
  return view;
}

function tagEnvelope(host: string, repository: string, view: TagView) {
  return { registry: host, imageName: repository, tag: tagJson(view) };
}

function tagJson(view: TagView) {
  return {
    name: view.name,
    digest: view.digest,
    createdTime: view.createdTime,
    lastUpdateTime: view.lastUpdateTime,
    signed: false,
    changeableAttributes: view.attributes,
  };
}
