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
    let row;
    try {
      row = await client.getEntity<ComplianceRecord>(pk, rk);
    } catch (err) {
      if (statusOf(err) === 404) return 'superseded';
      throw wrap(`read ${pk}/${rk}`, err);
    }
    if (row.digest !== key.digest || row.eventId !== key.eventId) return 'superseded';
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

export async function completeAction(
  client: TableClient,
  key: ActionKey,
  action: string,
  detail: string,
  state: 'done' | 'failed',
): Promise<void> {
  const entity = {
    partitionKey: partitionKey(key.registry, key.repository),
    rowKey: tagRowKey(key.tag),
    action,
    actionDetail: detail,
    actionState: state,
  };
  try {
    // Only the claim holder gets here; a merge keeps the verdict columns as they are.
    await client.updateEntity(entity, 'Merge');
  } catch (err) {
    throw wrap(`complete action on ${entity.partitionKey}/${entity.rowKey}`, err);
  }
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
