/**
 * The compliance store over @azure/data-tables. Concurrent writers are ordered with etags
 * (If-Match), never read-then-blind-write.
 */
import { odata, TableClient, type TableEntityResult } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { ActionKey, ComplianceStore, RecordFilter, SweepMarker, TagWrite } from './port.js';
import { claimAction, completeAction, markOwnPush, ownPush } from './action-claims.js';
import { getSweepMarker, putSweepMarker } from './sweep-marker.js';
import { StoreError } from './port.js';
import { statusOf, wrap } from './errors.js';
import {
  actionRowKey,
  digestRowKey,
  eventRowKey,
  rejectedPartition,
  partitionKey,
  rowPrefix,
  tagRowKey,
  type ComplianceRecord,
} from './records.js';

type Entity = ComplianceRecord & { partitionKey: string; rowKey: string };

/** Optimistic-concurrency retries; each loses only to a writer that made progress. */
const maxAttempts = 8;

export interface TableStoreOptions {
  readonly tableName: string;
  readonly url?: string;
  readonly connectionString?: string;
  readonly credential?: TokenCredential;
}

export function createTableStore(options: TableStoreOptions): TableStore {
  const { tableName, url, connectionString, credential } = options;
  // A few quick retries only: Event Grid gives an invocation 30 s in all.
  const retryOptions = { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2000 };
  if (connectionString !== undefined) {
    const insecure = /UseDevelopmentStorage=true|https?:\/\/(127\.0\.0\.1|localhost)/i;
    const client = TableClient.fromConnectionString(connectionString, tableName, {
      allowInsecureConnection: insecure.test(connectionString),
      retryOptions,
    });
    return new TableStore(client);
  }
  if (url !== undefined && credential !== undefined) {
    return new TableStore(new TableClient(url, tableName, credential, { retryOptions }));
  }
  throw new StoreError(
    'the table store needs COMPLIANCE_TABLE_URL with a credential, or a connection string',
  );
}

export class TableStore implements ComplianceStore {
  constructor(private readonly client: TableClient) {}

  get tableName(): string {
    return this.client.tableName;
  }

  async ensureTable(): Promise<void> {
    await this.call('create table', () => this.client.createTable());
  }

  async getDigest(registry: string, repository: string, digest: string) {
    return this.get(partitionKey(registry, repository), digestRowKey(digest));
  }

  async getTag(registry: string, repository: string, tag: string) {
    return this.get(partitionKey(registry, repository), tagRowKey(tag));
  }

  async putDigest(
    record: ComplianceRecord,
    read?: { readonly previous: ComplianceRecord | undefined },
  ): Promise<'written' | 'unchanged'> {
    const entity = toEntity(record, digestRowKey(record.digest));
    const existing = read
      ? read.previous
      : await this.getEntity(entity.partitionKey, entity.rowKey);
    if (existing && !existing.deleted && sameVerdict(existing, record)) return 'unchanged';
    await this.call('upsert digest row', () => this.client.upsertEntity(entity, 'Replace'));
    return 'written';
  }

  async putTag(record: ComplianceRecord): Promise<TagWrite> {
    const entity = toEntity(record, tagRowKey(record.tag));
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const existing = await this.getEntity(entity.partitionKey, entity.rowKey);
      if (existing === undefined) {
        if (await this.tryCreate(entity)) return 'written';
        continue;
      }
      if (existing.eventTime > record.eventTime) return 'stale';
      const samePush = existing.eventTime === record.eventTime && existing.digest === record.digest;
      if (samePush && sameVerdict(existing, record)) return 'unchanged';
      // A rescan of the same push keeps what was done to it.
      const next = samePush ? { ...entity, ...actionColumns(existing) } : entity;
      if (await this.tryReplace(next, existing.etag)) return 'written';
    }
    throw new StoreError(
      `tag row ${entity.partitionKey}/${entity.rowKey}: too many concurrent writers`,
    );
  }

  async markDeleted(
    registry: string,
    repository: string,
    digest: string,
    eventTime: string,
    eventId: string,
  ): Promise<number> {
    const pk = partitionKey(registry, repository);
    const filter = odata`PartitionKey eq ${pk} and digest eq ${digest} and deleted eq false`;
    let marked = 0;
    for await (const row of this.client.listEntities<Entity>({ queryOptions: { filter } })) {
      // A push after the delete wins, even when the delete arrives late.
      if (row.eventTime > eventTime) continue;
      const patch = {
        partitionKey: pk,
        rowKey: row.rowKey,
        deleted: true,
        eventId,
        action: 'deleted',
      };
      try {
        await this.client.updateEntity(patch, 'Merge', { etag: row.etag });
        marked++;
      } catch (err) {
        if (statusOf(err) !== 412 && statusOf(err) !== 404) throw wrap('mark deleted', err);
      }
    }
    return marked;
  }

  async appendAction(record: ComplianceRecord): Promise<void> {
    const rowKey = actionRowKey(record.checkedAt, record.digest, record.action);
    const entity = toEntity(record, rowKey);
    await this.call('append action', () => this.client.upsertEntity(entity, 'Replace'));
  }

  async recordRejectedEvent(record: ComplianceRecord): Promise<void> {
    const entity = {
      ...record,
      partitionKey: rejectedPartition,
      rowKey: eventRowKey(record.eventId),
    };
    await this.call('record rejected event', () => this.client.upsertEntity(entity, 'Replace'));
  }

  claimAction(key: ActionKey, action: string, now: string, leaseMs: number) {
    return claimAction(this.client, key, action, now, leaseMs);
  }

  completeAction(key: ActionKey, action: string, detail: string, state: 'done' | 'failed') {
    return completeAction(this.client, key, action, detail, state);
  }

  markOwnPush(key: Omit<ActionKey, 'eventId'>, detail: string) {
    return markOwnPush(this.client, key, detail);
  }

  ownPush(key: Omit<ActionKey, 'eventId'>) {
    return ownPush(this.client, key);
  }

  getSweepMarker(registry: string) {
    return getSweepMarker(this.client, registry);
  }

  putSweepMarker(marker: SweepMarker) {
    return putSweepMarker(this.client, marker);
  }

  async *query(filter: RecordFilter): AsyncIterable<ComplianceRecord> {
    const clauses: string[] = [];
    if (filter.registry !== undefined && filter.repository !== undefined) {
      clauses.push(odata`PartitionKey eq ${partitionKey(filter.registry, filter.repository)}`);
    } else if (filter.registry !== undefined) {
      clauses.push(odata`registry eq ${filter.registry}`);
    }
    if (filter.rowType !== undefined) {
      // RowKey ranges keep the query inside the index instead of scanning properties.
      const prefix = rowPrefix[filter.rowType];
      const end =
        prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
      clauses.push(odata`RowKey ge ${prefix} and RowKey lt ${end}`);
    }
    if (filter.status !== undefined) clauses.push(odata`status eq ${filter.status}`);
    if (filter.since !== undefined) clauses.push(odata`checkedAt ge ${filter.since}`);
    const queryOptions = clauses.length > 0 ? { filter: clauses.join(' and ') } : {};
    try {
      for await (const row of this.client.listEntities<Entity>({ queryOptions })) {
        yield fromEntity(row);
      }
    } catch (err) {
      throw wrap('query', err);
    }
  }

  private async get(pk: string, rk: string): Promise<ComplianceRecord | undefined> {
    const entity = await this.getEntity(pk, rk);
    return entity === undefined ? undefined : fromEntity(entity);
  }

  private async getEntity(pk: string, rk: string): Promise<TableEntityResult<Entity> | undefined> {
    try {
      return await this.client.getEntity<Entity>(pk, rk);
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw wrap(`read ${pk}/${rk}`, err);
    }
  }

  private async tryCreate(entity: Entity): Promise<boolean> {
    try {
      await this.client.createEntity(entity);
      return true;
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw wrap(`create ${entity.partitionKey}/${entity.rowKey}`, err);
    }
  }

  private async tryReplace(entity: Entity, etag: string): Promise<boolean> {
    try {
      await this.client.updateEntity(entity, 'Replace', { etag });
      return true;
    } catch (err) {
      if (statusOf(err) === 412 || statusOf(err) === 404) return false;
      throw wrap(`replace ${entity.partitionKey}/${entity.rowKey}`, err);
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (what === 'create table' && statusOf(err) === 409) return undefined;
      throw wrap(what, err);
    }
  }
}

function sameVerdict(a: ComplianceRecord, b: ComplianceRecord): boolean {
  return (
    a.status === b.status && a.reasons === b.reasons && a.policy === b.policy && a.kind === b.kind
  );
}

function toEntity(record: ComplianceRecord, rowKey: string): Entity {
  return { ...record, partitionKey: partitionKey(record.registry, record.repository), rowKey };
}

const recordKeys: readonly (keyof ComplianceRecord)[] = [
  'rowType',
  'registry',
  'repository',
  'tag',
  'digest',
  'mediaType',
  'kind',
  'status',
  'reasons',
  'action',
  'eventTime',
  'checkedAt',
  'policy',
  'reasonDetails',
  'artifact',
  'convertible',
  'details',
  'deleted',
  'eventId',
  'actionDetail',
  'actionState',
  'claimedAt',
];

/** What was done to a push; a rescan of the same push must not erase it. */
function actionColumns(row: ComplianceRecord): Partial<ComplianceRecord> {
  return {
    action: row.action,
    actionDetail: row.actionDetail,
    ...(row.actionState !== undefined ? { actionState: row.actionState } : {}),
    ...(row.claimedAt !== undefined ? { claimedAt: row.claimedAt } : {}),
  };
}

function fromEntity(entity: object): ComplianceRecord {
  const source = entity as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const key of recordKeys) record[key] = source[key];
  return record as unknown as ComplianceRecord;
}
