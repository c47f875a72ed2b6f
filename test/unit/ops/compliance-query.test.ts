import { describe, expect, it } from 'vitest';
import {
  pageOf,
  pageToken,
  parseComplianceQuery,
  type ComplianceQuery,
} from '../../../src/scan/compliance-query.js';
import { summarizeRecords } from '../../../src/scan/report.js';
import { tagRow } from './records.js';

const now = new Date('2026-02-01T00:00:00.000Z');

function parse(query: string) {
  return parseComplianceQuery(new URLSearchParams(query), now);
}

function ok(query: string): ComplianceQuery {
  const parsed = parse(query);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.query;
}

describe('parseComplianceQuery', () => {
  it('defaults to the first page of noncompliant tags', () => {
    const query = ok('');

    expect(query).toMatchObject({
      view: 'tags',
      filter: { status: 'noncompliant' },
      pageSize: 100,
      offset: 0,
    });
  });

  it('reads every parameter, repositories repeated, and ignores the function key in code', () => {
    const query = ok(
      'view=repositories&status=any&repository=team/*&repository=legacy/**' +
        '&registry=MyReg.azurecr.io&since=7d&deleted=true&pageSize=25&code=secret',
    );

    expect(query.view).toBe('repositories');
    expect(query.pageSize).toBe(25);
    expect(query.filter).toEqual({
      status: 'any',
      repositories: ['team/*', 'legacy/**'],
      registry: 'myreg.azurecr.io',
      since: '2026-01-25T00:00:00.000Z',
      includeDeleted: true,
    });
  });

  it.each([
    [
      'view=everything',
      'view',
      '"everything": expected one of tags, repositories, actions, summary',
    ],
    ['status=bad', 'status', 'expected one of compliant, noncompliant, exempt, error, any'],
    ['pageSize=0', 'pageSize', '"0": expected a whole number from 1 to 1000'],
    ['pageSize=1001', 'pageSize', 'from 1 to 1000'],
    ['pageSize=ten', 'pageSize', '"ten": expected a whole number'],
    ['since=yesterday', 'since', '"yesterday": expected an ISO date or time, or an age like 7d'],
    ['registry=not a host', 'registry', 'expected a login server'],
    ['repository=Team/App', 'repository', '"Team/App": expected a repository name or glob'],
    ['deleted=yes', 'deleted', '"yes": expected true or false'],
    ['page=%%%', 'page', 'expected the nextPage token of a previous answer'],
    ['limit=5', 'limit', 'unknown parameter; expected view, status'],
    ['view=tags&view=actions', 'view', 'given twice'],
  ])('answers %s with a problem naming %s', (query, parameter, message) => {
    const parsed = parse(query);

    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]?.parameter).toBe(parameter);
    expect(parsed.problems[0]?.message).toContain(message);
  });

  it('reports every problem at once', () => {
    const parsed = parse('view=x&status=y&pageSize=-1');

    expect(parsed.ok ? [] : parsed.problems.map((p) => p.parameter)).toEqual([
      'view',
      'status',
      'pageSize',
    ]);
  });

  it('refuses a page token minted for another query', () => {
    const first = ok('status=any&pageSize=1');
    const token = pageToken(1, first.fingerprint);

    const other = parse(`status=compliant&pageSize=1&page=${token}`);

    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.problems[0]?.message).toContain('belongs to another query');
    expect(ok(`status=any&pageSize=1&page=${token}`).offset).toBe(1);
  });
});

describe('pageOf', () => {
  const report = summarizeRecords(
    ['a', 'b', 'c', 'd', 'e'].map((tag) => tagRow('team/app', tag, 'noncompliant')),
    [],
    {},
    now.toISOString(),
  );

  it('walks the items page by page with the nextPage token, which the last page lacks', () => {
    const seen: string[] = [];
    let query = ok('pageSize=2');
    for (;;) {
      const page = pageOf(report, query);
      seen.push(...page.items.map((item) => (item as { tag: string }).tag));
      expect(page.total).toBe(5);
      if (page.nextPage === undefined) break;
      query = ok(`pageSize=2&page=${page.nextPage}`);
    }

    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives the totals as the one item of the summary view', () => {
    const page = pageOf(report, ok('view=summary'));

    expect(page.items).toEqual([report.totals]);
    expect(page.nextPage).toBeUndefined();
  });
});
