/** The ops report as terminal tables or CSV (JSON is the report object itself). */
import type { ActionLine, Report, RepositoryLine, TagLine } from '../scan/report.js';

export type ReportView = 'all' | 'tags' | 'repositories' | 'actions';

/** Actions shown in a terminal table when no --since narrows them; JSON and CSV give all. */
const recentActions = 20;

export function reportTables(report: Report, view: ReportView): string {
  const parts: string[] = [];
  if (view === 'all') parts.push(totalsLine(report));
  if (view === 'all' || view === 'repositories') parts.push(repositoriesTable(report));
  if (view === 'all' || view === 'tags') parts.push(tagsTable(report));
  if (view === 'all' || view === 'actions') parts.push(actionsTable(report));
  return parts.join('\n\n');
}

function totalsLine(report: Report): string {
  const { tags, byStatus, compliancePercent } = report.totals;
  const percent = compliancePercent === null ? 'n/a' : `${compliancePercent}%`;
  return (
    `${tags} tags: ${byStatus.compliant} compliant, ${byStatus.noncompliant} noncompliant, ` +
    `${byStatus.exempt} exempt, ${byStatus.error} error (${percent} compliant or exempt)`
  );
}

function repositoriesTable(report: Report): string {
  if (report.repositories.length === 0) return 'repositories: none recorded';
  const rows = report.repositories.map((r) => [
    `${r.registry}/${r.repository}`,
    r.compliancePercent === null ? 'n/a' : `${r.compliancePercent}%`,
    String(r.tags),
    String(r.noncompliant),
    String(r.exempt),
    String(r.error),
  ]);
  const header = ['REPOSITORY', 'COMPLIANT', 'TAGS', 'NONCOMPLIANT', 'EXEMPT', 'ERROR'];
  return `repositories, worst first:\n${table(header, rows)}`;
}

function tagsTable(report: Report): string {
  const status = report.filter.status ?? 'noncompliant';
  const title = status === 'any' ? 'tags' : `${status} tags`;
  if (report.tags.length === 0) return `${title}: none`;
  const rows = report.tags.map((t) => [
    `${t.registry}/${t.repository}:${t.tag}`,
    t.status,
    t.artifact ? `${t.kind} (${t.artifact})` : t.kind,
    t.reasons.map((r) => r.id).join(',') || '-',
    t.action || 'none',
  ]);
  const fixes = fixesOf(report.tags);
  const fixLines = fixes.map(([id, fix]) => `  ${id}: ${fix}`);
  const header = ['TAG', 'STATUS', 'KIND', 'REASONS', 'ACTION'];
  return [
    `${title}:`,
    table(header, rows),
    ...(fixLines.length > 0 ? ['', 'how to fix at build time:', ...fixLines] : []),
  ].join('\n');
}

function actionsTable(report: Report): string {
  const shown = report.filter.since ? report.actions : report.actions.slice(0, recentActions);
  if (shown.length === 0) return 'actions: none';
  const rows = shown.map((a) => [
    a.at,
    `${a.registry}/${a.repository}:${a.tag}`,
    a.action,
    a.detail,
  ]);
  const more = report.actions.length - shown.length;
  const title = more > 0 ? `recent actions (${more} older: --since or --format json)` : 'actions';
  return `${title}:\n${table(['AT', 'TAG', 'ACTION', 'DETAIL'], rows)}`;
}

/** One fix per reason id, in the order first met. */
function fixesOf(tags: readonly TagLine[]): [string, string][] {
  const fixes = new Map<string, string>();
  for (const tag of tags) {
    for (const reason of tag.reasons) {
      if (reason.fix && !fixes.has(reason.id)) fixes.set(reason.id, reason.fix);
    }
  }
  return [...fixes];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function reportCsv(report: Report, view: Exclude<ReportView, 'all'>): string {
  if (view === 'repositories') return csv(repositoryColumns, report.repositories);
  if (view === 'actions') return csv(actionColumns, report.actions);
  return csv(tagColumns, report.tags);
}

type Columns<T> = readonly (readonly [string, (item: T) => string | number | null])[];

const tagColumns: Columns<TagLine> = [
  ['registry', (t) => t.registry],
  ['repository', (t) => t.repository],
  ['tag', (t) => t.tag],
  ['digest', (t) => t.digest],
  ['status', (t) => t.status],
  ['kind', (t) => t.kind],
  ['artifact', (t) => t.artifact],
  ['mediaType', (t) => t.mediaType],
  ['reasons', (t) => t.reasons.map((r) => r.id).join(',')],
  ['messages', (t) => t.reasons.map((r) => r.message).join(' | ')],
  ['fixes', (t) => t.reasons.flatMap((r) => (r.fix ? [r.fix] : [])).join(' | ')],
  ['action', (t) => t.action],
  ['actionDetail', (t) => t.actionDetail],
  ['eventTime', (t) => t.eventTime],
  ['checkedAt', (t) => t.checkedAt],
];

const repositoryColumns: Columns<RepositoryLine> = [
  ['registry', (r) => r.registry],
  ['repository', (r) => r.repository],
  ['tags', (r) => r.tags],
  ['compliant', (r) => r.compliant],
  ['noncompliant', (r) => r.noncompliant],
  ['exempt', (r) => r.exempt],
  ['error', (r) => r.error],
  ['compliancePercent', (r) => r.compliancePercent],
];

const actionColumns: Columns<ActionLine> = [
  ['at', (a) => a.at],
  ['registry', (a) => a.registry],
  ['repository', (a) => a.repository],
  ['tag', (a) => a.tag],
  ['digest', (a) => a.digest],
  ['action', (a) => a.action],
  ['status', (a) => a.status],
  ['reasons', (a) => a.reasons],
  ['detail', (a) => a.detail],
];

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csv<T>(columns: Columns<T>, items: readonly T[]): string {
  const field = (value: string | number | null): string => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = columns.map(([name]) => name).join(',');
  const rows = items.map((item) => columns.map(([, get]) => field(get(item))).join(','));
  return [header, ...rows].join('\r\n');
}
