/**
 * Settings, read from app settings or the environment once at start-up. Every bad value is
 * reported by name together with what was expected, all at once.
 */
import type { Policy } from './domain/verdict-types.js';
import { isRegistry } from './domain/reference.js';

export type Remediation = 'record' | 'quarantine' | 'retag';
export type RetagFallback = 'record' | 'quarantine';

export interface Config {
  readonly allowedRegistries: readonly string[];
  readonly tableUrl?: string;
  readonly tableConnectionString?: string;
  readonly tableName: string;
  readonly policy: Policy;
  readonly exemptRepositories: readonly string[];
  readonly remediation: Remediation;
  readonly dryRun: boolean;
  readonly retagFallback: RetagFallback;
  readonly retagBackupSuffix: string;
  readonly retagSigned: boolean;
  readonly reconcileSchedule: string;
  readonly clientId?: string;
}

/** Every setting the app reads; infra tests check the Bicep writes the same names. */
export const settingNames = [
  'ALLOWED_REGISTRIES',
  'COMPLIANCE_TABLE_URL',
  'COMPLIANCE_TABLE_CONNECTION_STRING',
  'COMPLIANCE_TABLE',
  'POLICY',
  'EXEMPT_REPOSITORIES',
  'REMEDIATION',
  'REMEDIATION_DRY_RUN',
  'RETAG_FALLBACK',
  'RETAG_BACKUP_SUFFIX',
  'RETAG_SIGNED',
  'RECONCILE_SCHEDULE',
  'AZURE_CLIENT_ID',
] as const;

export type SettingName = (typeof settingNames)[number];

export const defaultTableName = 'imagecompliance';
export const defaultReconcileSchedule = '0 0 3 * * *';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n  ${problems.join('\n  ')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** What a caller needs: the table only where it writes, registries only where it reads. */
export interface ConfigNeeds {
  readonly table?: boolean;
  readonly registries?: boolean;
}

export function loadConfig(env: Env = process.env, needs: ConfigNeeds = {}): Config {
  const problems: string[] = [];
  const get = (name: SettingName): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const oneOf = <T extends string>(name: SettingName, allowed: readonly T[], fallback: T): T => {
    const value = get(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}="${value}": expected one of ${allowed.join(', ')}`);
    return fallback;
  };
  const flag = (name: SettingName): boolean => {
    const value = get(name)?.toLowerCase();
    if (value === undefined || value === 'false' || value === '0') return false;
    if (value === 'true' || value === '1') return true;
    problems.push(`${name}="${get(name)}": expected true or false`);
    return false;
  };

  const allowedRegistries = splitList(get('ALLOWED_REGISTRIES')).map((r) => r.toLowerCase());
  for (const registry of allowedRegistries) {
    if (!isRegistry(registry)) {
      problems.push(`ALLOWED_REGISTRIES: "${registry}" is not a login server (myreg.azurecr.io)`);
    }
  }
  if (needs.registries !== false && allowedRegistries.length === 0) {
    problems.push('ALLOWED_REGISTRIES is required: comma-separated login servers');
  }

  const tableUrl = get('COMPLIANCE_TABLE_URL');
  const tableConnectionString = get('COMPLIANCE_TABLE_CONNECTION_STRING');
  if (tableUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(tableUrl)) {
    problems.push(
      `COMPLIANCE_TABLE_URL="${tableUrl}": expected https://ACCOUNT.table.core.windows.net`,
    );
  }
  if (needs.table && tableUrl === undefined && tableConnectionString === undefined) {
    problems.push('COMPLIANCE_TABLE_URL (or COMPLIANCE_TABLE_CONNECTION_STRING) is required');
  }

  const tableName = get('COMPLIANCE_TABLE') ?? defaultTableName;
  // Azure table names: 3-63 alphanumerics, starting with a letter.
  if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(tableName)) {
    problems.push(`COMPLIANCE_TABLE="${tableName}": expected 3-63 letters and digits`);
  }

  const schedule = get('RECONCILE_SCHEDULE') ?? defaultReconcileSchedule;
  if (schedule.split(/\s+/).length !== 6) {
    problems.push(`RECONCILE_SCHEDULE="${schedule}": expected a six-field NCRONTAB expression`);
  }

  const backupSuffix =
    env.RETAG_BACKUP_SUFFIX === undefined ? '-oci' : env.RETAG_BACKUP_SUFFIX.trim();
  if (backupSuffix !== '' && !/^[A-Za-z0-9_.-]{1,64}$/.test(backupSuffix)) {
    problems.push(
      `RETAG_BACKUP_SUFFIX="${backupSuffix}": expected tag characters (A-Z a-z 0-9 _ . -)`,
    );
  }

  const config: Config = {
    allowedRegistries,
    ...(tableUrl !== undefined ? { tableUrl } : {}),
    ...(tableConnectionString !== undefined ? { tableConnectionString } : {}),
    tableName,
    policy: oneOf('POLICY', ['strict', 'top-level'] as const, 'strict'),
    exemptRepositories: splitList(get('EXEMPT_REPOSITORIES')),
    remediation: oneOf('REMEDIATION', ['record', 'quarantine', 'retag'] as const, 'record'),
    dryRun: flag('REMEDIATION_DRY_RUN'),
    retagFallback: oneOf('RETAG_FALLBACK', ['record', 'quarantine'] as const, 'record'),
    retagBackupSuffix: backupSuffix,
    retagSigned: flag('RETAG_SIGNED'),
    reconcileSchedule: schedule,
    ...(get('AZURE_CLIENT_ID') !== undefined ? { clientId: get('AZURE_CLIENT_ID') } : {}),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
