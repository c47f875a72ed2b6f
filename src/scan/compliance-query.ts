/**
 * The `compliance` endpoint's query string, validated at the edge: every problem is named by
 * its parameter with what was expected and what came, all at once. Paging is by an opaque
 * token that also pins the query it belongs to.
 */
import { createHash } from 'node:crypto';
import { isRegistry } from '../domain/reference.js';
import { parseSince, statusFilters, type Report, type ReportFilter } from './report.js';

export const views = ['tags', 'repositories', 'actions', 'summary'] as const;
export type View = (typeof views)[number];

export interface ComplianceQuery {
  readonly view: View;
  readonly filter: ReportFilter;
  readonly pageSize: number;
  /** Items to skip: where the page starts. */
  readonly offset: number;
  /** Identifies the query without its page, so a token cannot page another query. */
  readonly fingerprint: string;
}

export interface QueryProblem {
  readonly parameter: string;
  readonly message: string;
}

export type ParsedQuery =
  | { readonly ok: true; readonly query: ComplianceQuery }
  | { readonly ok: false; readonly problems: readonly QueryProblem[] };

export const defaultPageSize = 100;
export const maxPageSize = 1000;

/** `code` carries the function key when it is not sent as the x-functions-key header. */
const known = ['view', 'status', 'repository', 'registry', 'since', 'deleted', 'pageSize', 'page'];
const single = known.filter((name) => name !== 'repository');

export function parseComplianceQuery(params: URLSearchParams, now = new Date()): ParsedQuery {
  const problems: QueryProblem[] = [];
  const problem = (parameter: string, message: string): void => {
    problems.push({ parameter, message });
  };
  for (const name of new Set(params.keys())) {
    if (name === 'code') continue;
    if (!known.includes(name)) problem(name, `unknown parameter; expected ${known.join(', ')}`);
    else if (single.includes(name) && params.getAll(name).length > 1) problem(name, 'given twice');
  }

  const view = oneOf(params.get('view') ?? 'tags', views, 'view', problem);
  const status = oneOf(params.get('status') ?? 'noncompliant', statusFilters, 'status', problem);
  const repositories = params.getAll('repository').map((glob) => glob.trim());
  repositories.forEach((glob) => {
    if (!/^[a-z0-9][a-z0-9._\-/*?]{0,255}$/.test(glob)) {
      problem('repository', `"${clip(glob)}": expected a repository name or glob (team/*)`);
    }
  });
  const registry = params.get('registry')?.trim().toLowerCase();
  if (registry !== undefined && !isRegistry(registry)) {
    problem('registry', `"${clip(registry)}": expected a login server (myreg.azurecr.io)`);
  }
  const sinceText = params.get('since');
  const since = sinceText === null ? undefined : parseSince(sinceText, now);
  if (sinceText !== null && since === undefined) {
    problem('since', `"${clip(sinceText)}": expected an ISO date or time, or an age like 7d`);
  }
  const deleted = flag(params.get('deleted'), 'deleted', problem);
  const pageSize = pageSizeOf(params.get('pageSize'), problem);

  const filter: ReportFilter = {
    status,
    ...(repositories.length > 0 ? { repositories } : {}),
    ...(registry !== undefined ? { registry } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(deleted ? { includeDeleted: true } : {}),
  };
  const fingerprint = fingerprintOf(view, filter, sinceText);
  const offset = offsetOf(params.get('page'), fingerprint, problem);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, query: { view, filter, pageSize, offset, fingerprint } };
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  /** The token for the next page; absent on the last one. */
  readonly nextPage?: string;
}

/** The requested page of the report's items for the view (`summary` is one page of totals). */
export function pageOf(report: Report, query: ComplianceQuery): Page<unknown> {
  const all: readonly unknown[] =
    query.view === 'tags'
      ? report.tags
      : query.view === 'repositories'
        ? report.repositories
        : query.view === 'actions'
          ? report.actions
          : [report.totals];
  const end = query.offset + query.pageSize;
  const items = all.slice(query.offset, end);
  return {
    items,
    total: all.length,
    ...(end < all.length ? { nextPage: pageToken(end, query.fingerprint) } : {}),
  };
}

export function pageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

function offsetOf(
  token: string | null,
  fingerprint: string,
  problem: (parameter: string, message: string) => void,
): number {
  if (token === null) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      o?: unknown;
      f?: unknown;
    };
    if (typeof parsed.o !== 'number' || !Number.isSafeInteger(parsed.o) || parsed.o < 0) {
      throw new Error('no offset');
    }
    if (parsed.f !== fingerprint) {
      problem('page', 'the token belongs to another query: repeat the same parameters with it');
      return 0;
    }
    return parsed.o;
  } catch {
    problem('page', `"${clip(token)}": expected the nextPage token of a previous answer`);
    return 0;
  }
}

function pageSizeOf(
  text: string | null,
  problem: (parameter: string, message: string) => void,
): number {
  if (text === null) return defaultPageSize;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > maxPageSize) {
    problem('pageSize', `"${clip(text)}": expected a whole number from 1 to ${maxPageSize}`);
    return defaultPageSize;
  }
  return n;
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  parameter: string,
  problem: (parameter: string, message: string) => void,
): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problem(parameter, `"${clip(value)}": expected one of ${allowed.join(', ')}`);
  return allowed[0]!;
}

function flag(
  value: string | null,
  parameter: string,
  problem: (parameter: string, message: string) => void,
): boolean {
  if (value === null || value === 'false') return false;
  if (value === 'true') return true;
  problem(parameter, `"${clip(value)}": expected true or false`);
  return false;
}

/** The query without its page; an age (`7d`) counts as typed, so later pages keep working. */
function fingerprintOf(view: View, filter: ReportFilter, sinceText: string | null): string {
  const stable = { view, ...filter, since: sinceText ?? undefined };
  return createHash('sha256').update(JSON.stringify(stable)).digest('base64url').slice(0, 16);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
