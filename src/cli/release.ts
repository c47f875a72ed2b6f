/**
 * `mediatype-guard release IMAGE_REF [--reason TEXT]`: makes a quarantined manifest pullable
 * again (readEnabled=true) and records who released it and why.
 */
import type { TokenCredential } from '@azure/identity';
import { userInfo } from 'node:os';
import { createStore } from '../app.js';
import { loadConfig } from '../config.js';
import { commonName } from '../domain/reference.js';
import { AcrRegistry } from '../registry/acr.js';
import type { ComplianceRecord } from '../store/records.js';
import { plainRecord } from '../scan/to-record.js';
import { parseArgs, UsageError } from './args.js';
import { parseRef } from './check.js';
import type { CliIO } from './io.js';

export const releaseUsage = `usage: mediatype-guard release IMAGE_REF [--reason TEXT]
  needs COMPLIANCE_TABLE_URL (or COMPLIANCE_TABLE_CONNECTION_STRING) to record the release`;

export async function release(
  argv: readonly string[],
  io: CliIO,
  credential: TokenCredential,
): Promise<number> {
  const parsed = parseArgs(argv, { reason: { value: true } });
  if (parsed.positional.length !== 1) throw new UsageError('release takes one image reference');
  const ref = parseRef(parsed.positional[0]!);
  const reason = parsed.flags.get('reason')?.[0] ?? 'no reason given';
  const config = loadConfig(io.env, { table: true, registries: false });
  const store = createStore(config, credential);
  const registry = new AcrRegistry({ registry: ref.registry, credential });

  const digest = ref.digest ?? (await registry.resolveTag(ref.repository, ref.tag!));
  if (digest === undefined) throw new UsageError(`${commonName(ref)}: tag not found`);
  await registry.setManifestAttributes(ref.repository, digest, { readEnabled: true });

  const now = new Date().toISOString();
  const who = safeUser();
  const detail = `readEnabled=true on ${digest} by ${who}: ${reason}`;
  await store.ensureTable();
  if (ref.tag !== undefined) {
    // The tag row shows the release only while it is about the released content.
    const row = await store.getTag(ref.registry, ref.repository, ref.tag);
    if (row?.digest === digest) {
      const key = { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest };
      await store.completeAction({ ...key, eventId: row.eventId }, 'release', detail, 'done');
    }
  }
  const known = await store.getDigest(ref.registry, ref.repository, digest);
  await store.appendAction(actionRow(known, { ...ref, digest }, now, detail));
  io.out(`released ${commonName({ ...ref, digest })}: ${reason}`);
  return 0;
}

function actionRow(
  known: ComplianceRecord | undefined,
  ref: { registry: string; repository: string; tag?: string; digest: string },
  now: string,
  detail: string,
): ComplianceRecord {
  const base =
    known ??
    plainRecord({
      rowType: 'action',
      registry: ref.registry,
      repository: ref.repository,
      digest: ref.digest,
      eventTime: now,
      checkedAt: now,
      status: 'noncompliant',
    });
  return {
    ...base,
    rowType: 'action',
    tag: ref.tag ?? '',
    action: 'release',
    actionDetail: detail,
    checkedAt: now,
    eventTime: now,
    eventId: `release-${now}`,
  };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown user';
  }
}
