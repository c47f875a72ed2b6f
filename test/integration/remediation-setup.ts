/**
 * Shared steps of the remediation suites: push a catalogue fixture through the ACR emulator,
 * build the push events ACR would raise for it, read what the app left in the table, and look
 * at the registry with skopeo as an independent client.
 */
import { randomUUID } from 'node:crypto';
import { odata, TableClient } from '@azure/data-tables';
import { ManifestAcceptTypes } from '../../src/domain/media-types.js';
import { partitionKey } from '../../src/store/records.js';
import { fixtureNamed, type ManifestFixture } from '../fixtures/manifests.js';
import { gridEvent } from '../support/events.js';
import { pushFixture, type PushedFixture } from '../support/fixture-push.js';
import { PushClient, sha256 } from '../support/push.js';
import type { ServiceFacts } from '../support/services.js';
import { inspectRaw, type SkopeoTarget } from '../support/skopeo.js';

/** A repository no other test file uses: the services are shared by files run in parallel. */
export function uniqueRepository(kind: string): string {
  return `remediation/${kind}-${randomUUID().replaceAll('-', '').slice(0, 10)}`;
}

/** Pushes through the emulator, as a user's `docker push` to ACR would. */
export function pusherFor(services: ServiceFacts, url = services.emulator.url): PushClient {
  return new PushClient({ url, credentials: services.emulator.admin });
}

/** skopeo reading through the emulator, so readEnabled=false applies to it as it would in ACR. */
export function skopeoFor(services: ServiceFacts, host = services.emulator.host): SkopeoTarget {
  return { host, certDir: services.tls.certDir };
}

export interface PushedWithEvents {
  readonly fixture: ManifestFixture;
  readonly pushed: PushedFixture;
  /** Untagged pushes (children, subjects) first, then the tagged push, as ACR raises them. */
  readonly events: readonly ReturnType<typeof gridEvent>[];
  /** The tagged push alone. */
  readonly tagged: ReturnType<typeof gridEvent>;
}

/** Pushes a catalogue fixture and builds the ImagePushed events of that push. */
export async function pushNamed(
  services: ServiceFacts,
  repository: string,
  name: string,
  registry = services.emulator.host,
  pusher = pusherFor(services),
): Promise<PushedWithEvents> {
  const fixture = fixtureNamed(name);
  const pushed = await pushFixture(pusher, repository, fixture);
  const untagged = pushed.untagged.map((m) => gridEvent({ registry, repository, ...m }));
  const tagged = gridEvent({ registry, repository, tag: pushed.tag, ...pushed.top });
  return { fixture, pushed, events: [...untagged, tagged], tagged };
}

/**
 * The events ACR raises for what the app pushed during a retag: the backup tag, converted
 * children by digest, then the converted manifest under the tag. Read back from the registry,
 * as ACR would report them.
 */
export async function ownPushEvents(
  services: ServiceFacts,
  repository: string,
  tag: string,
  backupTag: string,
  registry = services.emulator.host,
): Promise<ReturnType<typeof gridEvent>[]> {
  const reader = pusherFor(services);
  const top = await reader.getManifest(repository, tag, ManifestAcceptTypes);
  const backup = await reader.getManifest(repository, backupTag, ManifestAcceptTypes);
  const body = JSON.parse(top.body.toString('utf8')) as {
    manifests?: { digest: string; mediaType: string; size: number }[];
  };
  const facts = (m: { digest: string; mediaType: string; body: Buffer }) => ({
    digest: m.digest,
    mediaType: m.mediaType,
    size: m.body.byteLength,
  });
  return [
    gridEvent({ registry, repository, tag: backupTag, ...facts(backup) }),
    ...(body.manifests ?? []).map((child) => gridEvent({ registry, repository, ...child })),
    gridEvent({ registry, repository, tag, ...facts(top) }),
  ];
}

export interface TableRow {
  readonly rowKey: string;
  readonly [property: string]: unknown;
}

/** Every row of a repository's partition, as a client reading the table would see them. */
export async function partitionRows(
  services: ServiceFacts,
  tableName: string,
  registry: string,
  repository: string,
): Promise<TableRow[]> {
  const client = TableClient.fromConnectionString(services.azurite.connectionString, tableName, {
    allowInsecureConnection: true,
  });
  const filter = odata`PartitionKey eq ${partitionKey(registry, repository)}`;
  const rows: TableRow[] = [];
  for await (const row of client.listEntities<Record<string, unknown>>({
    queryOptions: { filter },
  })) {
    rows.push(row as TableRow);
  }
  return rows;
}

/**
 * What a final state is made of, without times, event ids and the repository name: equal
 * projections mean two runs left the table in the same state.
 */
export function stateOf(rows: readonly TableRow[]): string[] {
  const keep = ['rowType', 'tag', 'digest', 'status', 'action', 'actionState', 'deleted'];
  return rows
    .map((row) => {
      // Action rows are keyed by time; their content is what matters.
      const key = row.rowKey.startsWith('action|') ? 'action' : row.rowKey;
      const values = keep.map((name) => `${name}=${String(row[name] ?? '')}`);
      return [key, ...values].join(' ');
    })
    .sort();
}

export function actionRows(rows: readonly TableRow[]): TableRow[] {
  return rows.filter((row) => row.rowKey.startsWith('action|'));
}

export function rowOf(rows: readonly TableRow[], rowKey: string): TableRow | undefined {
  return rows.find((row) => row.rowKey === rowKey);
}

/** The manifest a reference resolves to, read by skopeo, with its own mediaType field. */
export async function rawManifest(
  target: SkopeoTarget,
  repository: string,
  reference: string,
): Promise<{ bytes: Buffer; digest: string; body: ManifestJson }> {
  const bytes = await inspectRaw(target, repository, reference);
  return { bytes, digest: sha256(bytes), body: JSON.parse(bytes.toString('utf8')) as ManifestJson };
}

export interface ManifestJson {
  readonly mediaType?: string;
  readonly config?: { readonly mediaType: string; readonly digest: string };
  readonly layers?: readonly { readonly mediaType: string; readonly digest: string }[];
  readonly manifests?: readonly {
    readonly mediaType: string;
    readonly digest: string;
    readonly platform?: Readonly<Record<string, unknown>>;
    readonly annotations?: Readonly<Record<string, string>>;
  }[];
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Config and layer digests of an image manifest, in order. */
export function blobDigests(body: ManifestJson): string[] {
  return [body.config?.digest ?? '', ...(body.layers ?? []).map((layer) => layer.digest)];
}
