/**
 * The `compliance` HTTP function over a compliance table in Azurite: the ops queries as JSON,
 * paged, and clear 400s for bad query strings.
 */
import { randomUUID } from 'node:crypto';
import functions from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { complianceHandler } from '../../src/functions/compliance.js';
import { TestCredential } from '../support/credential.js';
import { actionRow, tagRow } from '../unit/ops/records.js';

const { HttpRequest, InvocationContext } = functions;

const services = inject('services');
const run = randomUUID().replaceAll('-', '').slice(0, 10);
const now = new Date('2026-01-20T00:00:00.000Z');

let app: App;

beforeAll(async () => {
  app = createApp(
    {
      ALLOWED_REGISTRIES: 'reg.example',
      COMPLIANCE_TABLE_CONNECTION_STRING: services.azurite.connectionString,
      COMPLIANCE_TABLE: `opscompliance${run}`,
    },
    { credential: new TestCredential() },
  );
  await app.store.ensureTable();
  const tags = [
    tagRow('team/app', 'v1', 'noncompliant'),
    tagRow('team/app', 'v2', 'noncompliant', { eventTime: '2026-01-18T00:00:00.000Z' }),
    tagRow('team/app', 'v3', 'compliant'),
    tagRow('team/api', 'v1', 'compliant'),
    tagRow('legacy/base', 'old', 'noncompliant'),
    tagRow('legacy/base', 'sig', 'exempt'),
  ];
  for (const tag of tags) await app.store.putTag(tag);
  await app.store.appendAction(actionRow('team/app', 'v1', 'quarantine', '2026-01-10T00:00:02Z'));
  await app.store.appendAction(actionRow('team/app', 'v2', 'retag', '2026-01-18T00:00:02Z'));
});

async function get(query: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const handler = complianceHandler(
    async () => app,
    () => now,
  );
  const request = new HttpRequest({
    method: 'GET',
    url: `https://guard.example/api/compliance${query}`,
  });
  const context = new InvocationContext({ functionName: 'compliance', logHandler: () => {} });
  const response: HttpResponseInit = await handler(request, context);
  return { status: response.status ?? 200, body: response.jsonBody as Record<string, unknown> };
}

type Items = { tag?: string; repository: string; action?: string; compliancePercent?: number }[];

describe('the compliance function', () => {
  it('answers noncompliant tags by default, with reasons, fixes and actions', async () => {
    const { status, body } = await get('');

    expect(status).toBe(200);
    expect(body).toMatchObject({ view: 'tags', total: 3, count: 3 });
    const items = body.items as (Items[number] & { reasons: unknown[] })[];
    expect(items.map((t) => `${t.repository}:${t.tag}`)).toEqual([
      'legacy/base:old',
      'team/app:v1',
      'team/app:v2',
    ]);
    expect(items[1]?.reasons).toEqual([
      { id: 'oci-index', message: 'an OCI index', fix: 'build with oci-mediatypes=false' },
    ]);
    expect(body.nextPage).toBeUndefined();
  });

  it.each([
    ['?status=compliant', ['team/api:v1', 'team/app:v3']],
    ['?status=any&repository=legacy/*', ['legacy/base:old', 'legacy/base:sig']],
    ['?since=2026-01-15', ['team/app:v2']],
    ['?since=3d&registry=reg.example', ['team/app:v2']],
  ])('filters tags with %s', async (query, expected) => {
    const { status, body } = await get(query);

    expect(status).toBe(200);
    expect((body.items as Items).map((t) => `${t.repository}:${t.tag}`)).toEqual(expected);
  });

  it('gives per-repository compliance, worst first, and recent actions, newest first', async () => {
    const repositories = await get('?view=repositories');
    const actions = await get('?view=actions');

    expect(
      (repositories.body.items as Items).map((r) => [r.repository, r.compliancePercent]),
    ).toEqual([
      ['team/app', 33.3],
      ['legacy/base', 50],
      ['team/api', 100],
    ]);
    expect((actions.body.items as Items).map((a) => a.action)).toEqual(['retag', 'quarantine']);
  });

  it('pages with nextPage and a link that repeats the query without the function key', async () => {
    const seen: string[] = [];
    let query = '?status=any&pageSize=4&code=secret-key';
    for (let pages = 0; pages < 5; pages++) {
      const { status, body } = await get(query);
      expect(status).toBe(200);
      seen.push(...(body.items as Items).map((t) => `${t.repository}:${t.tag}`));
      if (body.nextLink === undefined) break;
      expect(body.nextLink).not.toContain('secret-key');
      query = String(body.nextLink).replace('/api/compliance', '');
    }

    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it.each([
    ['?view=everything', 'view'],
    ['?status=broken', 'status'],
    ['?pageSize=0', 'pageSize'],
    ['?since=last-week', 'since'],
    ['?page=not-a-token', 'page'],
    ['?registry=bad host', 'registry'],
    ['?top=10', 'top'],
  ])('answers 400 to %s, naming %s', async (query, parameter) => {
    const { status, body } = await get(query);

    expect(status).toBe(400);
    const error = body.error as {
      code: string;
      message: string;
      problems: { parameter: string }[];
    };
    expect(error.code).toBe('InvalidQuery');
    expect(error.problems.map((p) => p.parameter)).toEqual([parameter]);
    expect(error.message).toMatch(new RegExp(`^${parameter}: `));
  });
});
