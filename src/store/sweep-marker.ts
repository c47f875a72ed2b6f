/**
 * Reconcile's sweep marker rows. They carry no `registry` or `status` property, so the ops
 * queries on those columns never return them.
 */
import type { TableClient } from '@azure/data-tables';
import type { SweepMarker } from './port.js';
import { statusOf, wrap } from './errors.js';
import { sweepPartition, sweepRowKey } from './records.js';

interface MarkerEntity {
  readonly loginServer: string;
  readonly sweptUntil?: string;
  readonly passStartedAt?: string;
  readonly resumeAt?: string;
  readonly updatedAt: string;
  readonly lastRun?: string;
}

export async function getSweepMarker(
  client: TableClient,
  registry: string,
): Promise<SweepMarker | undefined> {
  const rk = sweepRowKey(registry);
  try {
    const row = await client.getEntity<MarkerEntity>(sweepPartition, rk);
    return {
      registry,
      updatedAt: row.updatedAt,
      ...optional('sweptUntil', row.sweptUntil),
      ...optional('passStartedAt', row.passStartedAt),
      ...optional('resumeAt', row.resumeAt),
      ...optional('lastRun', row.lastRun),
    };
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw wrap(`read ${sweepPartition}/${rk}`, err);
  }
}

export async function putSweepMarker(client: TableClient, marker: SweepMarker): Promise<void> {
  const entity = {
    partitionKey: sweepPartition,
    rowKey: sweepRowKey(marker.registry),
    rowType: 'sweep',
    loginServer: marker.registry,
    updatedAt: marker.updatedAt,
    ...optional('sweptUntil', marker.sweptUntil),
    ...optional('passStartedAt', marker.passStartedAt),
    ...optional('resumeAt', marker.resumeAt),
    ...optional('lastRun', marker.lastRun),
  };
  try {
    // Replace, so a property left out (resumeAt after a finished pass) is cleared.
    await client.upsertEntity(entity, 'Replace');
  } catch (err) {
    throw wrap(`write ${entity.partitionKey}/${entity.rowKey}`, err);
  }
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
