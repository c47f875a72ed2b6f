/**
 * Acting once: a tag row is claimed with its etag before anything is done to the registry, so
 * two deliveries of one event, or two instances racing, act once. A claim is a lease: if its
 * holder died half way, the redelivered event takes it over after the lease and resumes,
 * which is safe because every remediation step is idempotent.
 */
import type { TableClient } from '@azure/data-tables';
import type { ActionKey, ClaimResult } from './port.js';
import { StoreError } from './port.js';
import { statusOf, wrap } from './errors.js';
import { ownPushRowKey, partitionKey, tagRowKey, type ComplianceRecord } from './records.js';

const maxAttempts = 8;

export async function claimAction(
  client: TableClient,
  key: ActionKey,
  action: string,
  now: string,
  leaseMs: number,
): Promise<ClaimResult> {
  const pk = partitionKey(key.registry, key.repository);
  const rk = tagRowKey(key.tag);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const row = await readTagRow(client, pk, rk);
    if (!row || !samePush(row, key)) return 'superseded';
    if (row.actionState === 'done') return 'done';
    const held = row.actionState === 'claimed' && row.claimedAt !== undefined;
    if (held && Date.parse(now) - Date.parse(row.claimedAt!) < leaseMs) return 'busy';

    const claim = { partitionKey: pk, rowKey: rk, action, actionState: 'claimed', claimedAt: now };
    try {
      await client.updateEntity(claim, 'Merge', { etag: row.etag });
      return 'claimed';
    } catch (err) {
      if (statusOf(err) !== 412) throw wrap(`claim ${pk}/${rk}`, err);
    }
  }
  throw new StoreError(`claim ${pk}/${rk}: too many concurrent writers`);
}

/**
 * Ends a claim on the tag row, unless the row is about another push by now: a newer push of
 * the tag may land while an action is under way, and its row must not be told what was done
 * to older content (the action history keeps that).
 */
export async function completeAction(
  client: TableClient,
  key: ActionKey,
  action: string,
  detail: string,
  state: 'done' | 'failed',
): Promise<void> {
  const pk = partitionKey(key.registry, key.repository);
  const rk = tagRowKey(key.tag);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const row = await readTagRow(client, pk, rk);
    if (!row || !samePush(row, key)) return;

    const entity = {
      partitionKey: pk,
      rowKey: rk,
      action,
      actionDetail: detail,
      actionState: state,
    };
    try {
      // A merge keeps the verdict columns as they are; the etag keeps a newer push's row intact.
      await client.updateEntity(entity, 'Merge', { etag: row.etag });
      return;
    } catch (err) {
      if (statusOf(err) !== 412) throw wrap(`complete action on ${pk}/${rk}`, err);
    }
  }
  throw new StoreError(`complete action on ${pk}/${rk}: too many concurrent writers`);
}

async function readTagRow(client: TableClient, pk: string, rk: string) {
  try {
    return await client.getEntity<ComplianceRecord>(pk, rk);
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw wrap(`read ${pk}/${rk}`, err);
  }
}

/** Whether the tag row is still about the push a key names. */
function samePush(row: ComplianceRecord, key: ActionKey): boolean {
  return row.digest === key.digest && row.eventId === key.eventId;
}

export async function markOwnPush(
  client: TableClient,
  key: Omit<ActionKey, 'eventId'>,
  detail: string,
): Promise<void> {
  const entity = {
    partitionKey: partitionKey(key.registry, key.repository),
    rowKey: ownPushRowKey(key.tag, key.digest),
    rowType: 'own-push',
    registry: key.registry,
    repository: key.repository,
    tag: key.tag,
    digest: key.digest,
    actionDetail: detail,
  };
  try {
    await client.upsertEntity(entity, 'Replace');
  } catch (err) {
    throw wrap(`mark own push ${entity.partitionKey}/${entity.rowKey}`, err);
  }
}

export async function ownPush(
  client: TableClient,
  key: Omit<ActionKey, 'eventId'>,
): Promise<string | undefined> {
  const pk = partitionKey(key.registry, key.repository);
  const rk = ownPushRowKey(key.tag, key.digest);
  try {
    const row = await client.getEntity<{ actionDetail?: string }>(pk, rk);
    return row.actionDetail ?? '';
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw wrap(`read ${pk}/${rk}`, err);
  }
}
