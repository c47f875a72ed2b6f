/**
 * HTTP GET `compliance` (function key): the ops report as JSON, paged. Query parameters:
 * view (tags | repositories | actions | summary), status, repository (glob, repeatable),
 * registry, since (ISO time or age like 7d), deleted, pageSize, page (the nextPage token).
 */
import functions from '@azure/functions';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { processApp, type App } from '../app.js';
import { parseComplianceQuery, pageOf } from '../scan/compliance-query.js';
import { buildReport } from '../scan/report.js';
import { StoreError } from '../store/port.js';
import { lineLogger } from '../log.js';

/** Builds the handler over an app; tests pass one wired to local services. */
export function complianceHandler(getApp: () => Promise<App>, now: () => Date = () => new Date()) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const url = new URL(request.url);
    const parsed = parseComplianceQuery(url.searchParams, now());
    if (!parsed.ok) {
      const message = parsed.problems.map((p) => `${p.parameter}: ${p.message}`).join('; ');
      return json(400, { error: { code: 'InvalidQuery', message, problems: parsed.problems } });
    }

    const { query } = parsed;
    const app = await getApp();
    let page;
    try {
      page = pageOf(await buildReport(app.store, query.filter, now()), query);
    } catch (err) {
      if (!(err instanceof StoreError)) throw err;
      lineLogger(context).error({ decision: 'compliance-query', error: err.message });
      return json(503, { error: { code: 'StoreUnavailable', message: err.message } });
    }

    const next = new URL(url);
    if (page.nextPage !== undefined) next.searchParams.set('page', page.nextPage);
    // The function key may ride in `code`; a link handed around should not carry it.
    next.searchParams.delete('code');
    return json(200, {
      view: query.view,
      filter: query.filter,
      total: page.total,
      count: page.items.length,
      items: page.items,
      ...(page.nextPage !== undefined
        ? { nextPage: page.nextPage, nextLink: next.pathname + next.search }
        : {}),
    });
  };
}

function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'cache-control': 'no-store' } };
}

export const compliance = complianceHandler(processApp);

functions.app.http('compliance', {
  methods: ['GET'],
  authLevel: 'function',
  handler: compliance,
});
