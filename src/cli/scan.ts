/**
 * `mediatype-guard scan --registry LOGIN_SERVER`: walk every repository and tag, classify,
 * and record each like the event function does. Records only: a scan never quarantines or
 * retags, whatever REMEDIATION says, since it reaches images nobody just pushed.
 */
import type { TokenCredential } from '@azure/identity';
import { createApp } from '../app.js';
import { isRegistry } from '../domain/reference.js';
import { lineLogger, type Logger } from '../log.js';
import { scanRegistry } from '../scan/scan-registry.js';
import type { ScanSummary } from '../scan/scan-summary.js';
import { parseArgs, positiveInt, UsageError, type Parsed } from './args.js';
import { tableTarget } from './embedded-table.js';
import type { CliIO } from './io.js';
import { progressView, type ProgressView } from './progress.js';

export const scanUsage = `usage: mediatype-guard scan --registry LOGIN_SERVER [--repository GLOB]...
                          [--concurrency N] [--rescan] [--json]
  walks every repository and tag and records a verdict for each in the compliance table
  (COMPLIANCE_TABLE_URL, else an embedded Azurite under ~/.local/share/mediatype-guard);
  tags recorded already are skipped unless --rescan. Exit 0: every tag recorded; 1: some
  could not be (run again to finish them).`;

export async function scan(
  argv: readonly string[],
  io: CliIO,
  credential: TokenCredential,
): Promise<number> {
  const parsed = parseArgs(argv, {
    registry: { value: true },
    repository: { value: true, repeat: true },
    concurrency: { value: true },
    rescan: {},
    json: {},
  });
  if (parsed.positional.length > 0) {
    throw new UsageError(`scan takes no arguments, got "${parsed.positional[0]}"`);
  }
  const registry = registryOf(parsed);
  const concurrency = positiveInt(parsed, 'concurrency', 8, 64);
  const repositories = parsed.flags.get('repository') ?? [];

  const target = await tableTarget(io.env);
  try {
    if (target.dataDir !== undefined) {
      io.err(`no table configured: using the embedded one in ${target.dataDir}`);
    }
    // The registry named on the command line is the one the user allows.
    const app = createApp({ ...target.env, ALLOWED_REGISTRIES: registry }, { credential });
    await app.store.ensureTable();
    const view = progressView(io);
    const summary = await withInterrupt((signal) =>
      scanRegistry(
        {
          registry: app.registryFor(registry),
          store: app.store,
          config: { ...app.config, remediation: 'record' },
          log: noteLogger(view),
        },
        {
          concurrency,
          repositories,
          rescan: parsed.flags.has('rescan'),
          signal,
          onProgress: (progress) => view.update(progress),
        },
      ),
    );
    view.done();
    io.out(parsed.flags.has('json') ? JSON.stringify(summary, null, 2) : formatSummary(summary));
    return summary.complete && summary.failed === 0 ? 0 : 1;
  } finally {
    await target.stop();
  }
}

function registryOf(parsed: Parsed): string {
  const value = parsed.flags.get('registry')?.[0]?.toLowerCase();
  if (value === undefined) throw new UsageError('scan needs --registry LOGIN_SERVER');
  if (!isRegistry(value)) {
    throw new UsageError(`--registry "${value}": expected a login server (myreg.azurecr.io)`);
  }
  return value;
}

/** Ctrl-C stops the walk after the calls in flight; the summary says where to resume. */
async function withInterrupt<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const interrupt = (): void => controller.abort();
  process.once('SIGINT', interrupt);
  try {
    return await run(controller.signal);
  } finally {
    process.removeListener('SIGINT', interrupt);
  }
}

/** Verdict lines would bury the bar: warnings and errors only, above it. */
function noteLogger(view: ProgressView): Logger {
  return lineLogger({
    info: () => {},
    warn: (line) => view.note(`warning: ${line}`),
    error: (line) => view.note(`error: ${line}`),
  });
}

export function formatSummary(s: ScanSummary): string {
  const lines = [
    `scanned ${s.registry}: ${s.tags} tags in ${s.repositories} repositories, ` +
      `${s.seconds.toFixed(1)} s (${s.imagesPerSecond} images/s)`,
    `  recorded ${s.recorded} (${s.fetched} fetched), already recorded ${s.skipped}, ` +
      `failed ${s.failed}, throttled ${s.throttled}`,
    `  status: ${counts(s.byStatus)}`,
    `  kind: ${counts(s.byKind) || '-'}`,
  ];
  if (s.worst.length > 0) {
    lines.push('  worst repositories:');
    for (const r of s.worst) {
      const percent = r.compliancePercent === null ? 'n/a' : `${r.compliancePercent}%`;
      lines.push(
        `    ${r.repository}: ${r.noncompliant} noncompliant, ${r.error} error of ${r.tags} ` +
          `tags (${percent} compliant or exempt)`,
      );
    }
  }
  if (s.failures.length > 0) {
    lines.push('  failures:');
    for (const f of s.failures)
      lines.push(`    ${f.repository}${f.tag ? `:${f.tag}` : ''}: ${f.error}`);
  }
  if (s.resumeAt !== undefined) {
    lines.push(`  stopped at ${s.resumeAt || 'the catalog'}: run again to continue`);
  } else if (!s.complete || s.failed > 0) {
    lines.push('  incomplete: run again to retry what failed');
  }
  return lines.join('\n');
}

function counts(record: Readonly<Record<string, number>>): string {
  return Object.entries(record)
    .filter(([, n]) => n > 0)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
}
