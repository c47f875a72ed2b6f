import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

const base = { ALLOWED_REGISTRIES: 'MyReg.azurecr.io, other.azurecr.io' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({
      ...base,
      COMPLIANCE_TABLE_URL: 'https://a.table.core.windows.net',
    });
    expect(config).toMatchObject({
      allowedRegistries: ['myreg.azurecr.io', 'other.azurecr.io'],
      tableName: 'imagecompliance',
      policy: 'strict',
      remediation: 'record',
      dryRun: false,
      retagFallback: 'record',
      retagBackupSuffix: '-oci',
      retagSigned: false,
      reconcileSchedule: '0 0 3 * * *',
    });
  });

  it('lets an empty RETAG_BACKUP_SUFFIX disable backups', () => {
    expect(loadConfig({ ...base, RETAG_BACKUP_SUFFIX: '' }).retagBackupSuffix).toBe('');
  });

  it('reports every bad setting at once, by name, with what was expected', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig(
        {
          ALLOWED_REGISTRIES: 'https://x/',
          POLICY: 'lenient',
          REMEDIATION: 'delete',
          REMEDIATION_DRY_RUN: 'maybe',
          COMPLIANCE_TABLE: 'x',
          RECONCILE_SCHEDULE: '0 3 * * *',
          RETAG_BACKUP_SUFFIX: 'a/b',
        },
        { table: true },
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    for (const name of [
      'ALLOWED_REGISTRIES',
      'POLICY="lenient": expected one of strict, top-level',
      'REMEDIATION="delete"',
      'REMEDIATION_DRY_RUN="maybe": expected true or false',
      'COMPLIANCE_TABLE="x"',
      'RECONCILE_SCHEDULE',
      'RETAG_BACKUP_SUFFIX',
      'COMPLIANCE_TABLE_URL (or COMPLIANCE_TABLE_CONNECTION_STRING) is required',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('requires ALLOWED_REGISTRIES unless the caller reads no events', () => {
    expect(() => loadConfig({})).toThrow('ALLOWED_REGISTRIES is required');
    expect(loadConfig({}, { registries: false }).allowedRegistries).toEqual([]);
  });
});
