/**
 * Quarantine: the manifest becomes unpullable through ACR's readEnabled=false.
 * (writeEnabled=false does not stop pulls; only readEnabled does.)
 */
import type { ActionKey } from '../store/port.js';
import type { ComplianceRecord } from '../store/records.js';
import { because, type ActionResult, type RemediationDeps } from './remediate.js';

export async function quarantine(
  key: ActionKey,
  verdict: ComplianceRecord,
  deps: RemediationDeps,
  note = '',
): Promise<ActionResult> {
  const detail = `readEnabled=false on ${key.digest}; ${because(verdict)}${note}`;
  if (deps.config.dryRun) return { action: 'dry-run:quarantine', detail: `would set ${detail}` };
  await deps.registry.setManifestAttributes(key.repository, key.digest, { readEnabled: false });
  return { action: 'quarantine', detail };
}
