/**
 * The compliance store's contract, against Azurite (which refuses bad keys as Azure does):
 * legal keys for any repository name, etag-ordered writes under concurrency, deletes that
 * a later push undoes, action claims that one caller wins.
 */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ComplianceStore } from '../../src/store/port.js';
import type { ComplianceRecord } from '../../src/store/records.js';
import { createTableStore } from '../../src/store/table-store.js';
import { plainRecord } from '../../src/scan/to-record.js';

const services = inject('services');
const registry = 'myreg.azurecr.io';
const digest = (n: number) => 'sha256:' + n.toString(16).padStart(64, '0');
const minute = (n: number) => `2026-12-01T10:${String(n).padStart(2, '0')}:00.000Z`;

let store: ComplianceStore;
let tableName: string;

beforeAll(async () => {
  tableName = `contract${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  store = createTableStore({ tableName, connectionString: services.azurite.connectionString });
  await store.ensureTable();
  await store.ensureTable(); // creating it again is not an error
});

function tagRow(repository: string, tag: string, n: number, eventTime: string): ComplianceRecord {
  return plainRecord({
    rowType: 'tag',
    registry,
    repository,
    tag,
    digest: digest(n),
    status: n % 2 === 0 ? 'compliant' : 'noncompliant',
    kind: 'oci-manifest',
    eventTime,
    checkedAt: new Date().toISOString(),
    eventId: `event-${n}`,
  });
}

describe('the table store', () => {
  it('keeps repository names with slashes in legal keys and lists a repository in one partition', async () => {
    const repository = `deep/nested/path-${randomUUID().slice(0, 6)}`;
    await store.putTag(tagRow(repository, 'v1', 1, minute(1)));
    await store.putTag(tagRow(repository, 'v2', 2, minute(2)));

    const raw = TableClient.fromConnectionString(services.azurite.connectionString, tableName, {
      allowInsecureConnection: true,
    });
    const keys = [];
    for await (const e of raw.listEntities()) {
      if ((e as { repository?: string }).repository === repository) keys.push(e.partitionKey);
    }
    expect(new Set(keys)).toEqual(new Set([`${registry}|${repository.replaceAll('/', '|')}`]));

    const tags = [];
    for await (const row of store.query({ registry, repository, rowType: 'tag' }))
      tags.push(row.tag);
    expect(tags.sort()).toEqual(['v1', 'v2']);
  });

  it('lets the newest push win whatever order twenty concurrent writers arrive in', async () => {
    const repository = `race-${randomUUID().slice(0, 6)}`;
    const rows = Array.from({ length: 20 }, (_, n) => tagRow(repository, 'latest', n, minute(n)));
    const shuffled = [...rows].sort(() => Math.random() - 0.5);

    const outcomes = await Promise.all(shuffled.map((row) => store.putTag(row)));

    expect(await store.getTag(registry, repository, 'latest')).toMatchObject({
      digest: digest(19),
      eventTime: minute(19),
    });
    expect(outcomes).toContain('written');
    expect(outcomes.every((o) => o === 'written' || o === 'stale')).toBe(true);
  });

  it('answers unchanged for the same push twice and stale for an older one', async () => {
    const repository = `order-${randomUUID().slice(0, 6)}`;
    expect(await store.putTag(tagRow(repository, 't', 5, minute(5)))).toBe('written');
    expect(await store.putTag(tagRow(repository, 't', 5, minute(5)))).toBe('unchanged');
    expect(await store.putTag(tagRow(repository, 't', 4, minute(4)))).toBe('stale');
  });

  it('marks a digest deleted only where no later push of it was recorded', async () => {
    const repository = `deleted-${randomUUID().slice(0, 6)}`;
    await store.putTag(tagRow(repository, 'old', 7, minute(1)));
    await store.putTag(tagRow(repository, 'new', 7, minute(9)));

    const marked = await store.markDeleted(registry, repository, digest(7), minute(5), 'del-1');

    expect(marked).toBe(1);
    expect(await store.getTag(registry, repository, 'old')).toMatchObject({ deleted: true });
    expect(await store.getTag(registry, repository, 'new')).toMatchObject({ deleted: false });
  });

  it('gives an action claim to exactly one of several racing callers', async () => {
    const repository = `claim-${randomUUID().slice(0, 6)}`;
    const row = tagRow(repository, 'v1', 3, minute(3));
    await store.putTag(row);
    const key = { registry, repository, tag: 'v1', digest: row.digest, eventId: row.eventId };
    const now = new Date().toISOString();

    const claims = await Promise.all(
      Array.from({ length: 6 }, () => store.claimAction(key, 'quarantine', now, 45_000)),
    );

    expect(claims.filter((c) => c === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c === 'busy')).toHaveLength(5);
    await store.completeAction(key, 'quarantine', 'done by the test', 'done');
    expect(await store.claimAction(key, 'quarantine', now, 45_000)).toBe('done');
    expect(await store.claimAction({ ...key, eventId: 'other' }, 'quarantine', now, 45_000)).toBe(
      'superseded',
    );
  });

  it('keeps one row per refused event however often it is delivered', async () => {
    const eventId = `bad/event#${randomUUID()}?`;
    const row = plainRecord({
      rowType: 'event',
      registry: '',
      repository: '',
      digest: '',
      eventTime: '',
      checkedAt: new Date().toISOString(),
      eventId,
      reasons: 'event-invalid',
    });
    await store.recordRejectedEvent(row);
    await store.recordRejectedEvent({ ...row, checkedAt: new Date().toISOString() });

    const rows = [];
    for await (const r of store.query({})) if (r.eventId === eventId) rows.push(r);
    expect(rows).toHaveLength(1);
  });
});
