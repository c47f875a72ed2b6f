/**
 * `mediatype-guard report`: what ops ask of the compliance table (noncompliant tags with
 * reasons and actions, per-repository compliance, recent actions) as a table, JSON or CSV.
 */
import type { TokenCredential } from '@azure/identity';
import { createStore } from '../app.js';
import { loadConfig } from '../config.js';
import { isRegistry } from '../domain/reference.js';
import { buildReport, parseSince, statusFilters, type ReportFilter } from '../scan/report.js';
import { oneOf, parseArgs, UsageError, type Parsed } from './args.js';
import { tableTarget } from './embedded-table.js';
import type { CliIO } from './io.js';
import { reportCsv, reportTables, type ReportView } from './report-format.js';

export const reportUsage = `usage: mediatype-guard report [--status S] [--repository GLOB]...
                            [--since DATE] [--registry LOGIN_SERVER] [--format table|json|csv]
                            [--view all|tags|repositories|actions] [--deleted]
  --status compliant|noncompliant|exempt|error|any (default noncompliant) picks the tags listed;
  --since takes an ISO date or time, or an age (7d, 12h) and applies to push and action times;
  csv prints one view (default tags).`;

const views = ['all', 'tags', 'repositories', 'actions'] as const;

export async function report(
  argv: readonly string[],
  io: CliIO,
  credential: TokenCredential,
): Promise<number> {
  const parsed = parseArgs(argv, {
    status: { value: true },
    repository: { value: true, repeat: true },
    registry: { value: true },
    since: { value: true },
    format: { value: true },
    view: { value: true },
    deleted: {},
  });
  if (parsed.positional.length > 0) {
    throw new UsageError(`report takes no arguments, got "${parsed.positional[0]}"`);
  }
  const format = oneOf(parsed, 'format', ['table', 'json', 'csv'] as const, 'table');
  const view = oneOf(parsed, 'view', views, format === 'csv' ? 'tags' : 'all');
  if (format === 'csv' && view === 'all') {
    throw new UsageError('--format csv prints one view: add --view tags|repositories|actions');
  }
  const filter = filterOf(parsed);

  const target = await tableTarget(io.env);
  try {
    if (target.dataDir !== undefined) {
      io.err(`no table configured: reading the embedded one in ${target.dataDir}`);
    }
    const config = loadConfig(target.env, { table: true, registries: false });
    const store = createStore(config, credential);
    await store.ensureTable();
    const result = await buildReport(store, filter);
    if (format === 'json') io.out(JSON.stringify(result, null, 2));
    else if (format === 'csv') io.out(reportCsv(result, view as Exclude<ReportView, 'all'>));
    else io.out(reportTables(result, view));
    return 0;
  } finally {
    await target.stop();
  }
}

function filterOf(parsed: Parsed): ReportFilter {
  const status = oneOf(parsed, 'status', statusFilters, 'noncompliant');
  const repositories = parsed.flags.get('repository') ?? [];
  const registry = parsed.flags.get('registry')?.[0]?.toLowerCase();
  if (registry !== undefined && !isRegistry(registry)) {
    throw new UsageError(`--registry "${registry}": expected a login server (myreg.azurecr.io)`);
  }
  const sinceText = parsed.flags.get('since')?.[0];
  const since = sinceText === undefined ? undefined : parseSince(sinceText);
  if (sinceText !== undefined && since === undefined) {
    throw new UsageError(`--since "${sinceText}": expected an ISO date or time, or an age (7d)`);
  }
  return {
    status,
    ...(repositories.length > 0 ? { repositories } : {}),
    ...(registry !== undefined ? { registry } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(parsed.flags.has('deleted') ? { includeDeleted: true } : {}),
  };
}
