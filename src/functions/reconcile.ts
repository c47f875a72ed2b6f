/**
 * Timer `reconcile`: on RECONCILE_SCHEDULE (default nightly), records the pushes whose events
 * never arrived, for every allowed registry, within a bounded request budget each.
 */
import functions from '@azure/functions';
import type { InvocationContext, Timer } from '@azure/functions';
import { processApp, type App } from '../app.js';
import { defaultReconcileSchedule } from '../config.js';
import {
  reconcileRegistry,
  type ReconcileOptions,
  type ReconcileOutcome,
} from '../scan/reconcile.js';
import { lineLogger } from '../log.js';

export interface RegistryReconcile {
  readonly registry: string;
  readonly outcome?: ReconcileOutcome;
  readonly error?: string;
}

/** Builds the handler over an app; tests pass one wired to local services and a small budget. */
export function reconcileHandler(getApp: () => Promise<App>, options: ReconcileOptions = {}) {
  return async (timer: Timer, context: InvocationContext): Promise<RegistryReconcile[]> => {
    const app = await getApp();
    const log = lineLogger(context);
    if (timer.isPastDue) log.info({ decision: 'reconcile-late', detail: 'timer is past due' });

    const results: RegistryReconcile[] = [];
    // One registry after another: each has its own budget, and a failure in one (no access,
    // catalog unreadable) must not cost the others their sweep.
    for (const registry of app.config.allowedRegistries) {
      try {
        const deps = {
          registry: app.registryFor(registry),
          store: app.store,
          config: app.config,
          log,
        };
        results.push({ registry, outcome: await reconcileRegistry(deps, options) });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        log.error({ decision: 'reconcile', registry, error });
        results.push({ registry, error });
      }
    }
    if (results.length > 0 && results.every((r) => r.error !== undefined)) {
      throw new Error(`reconcile failed for every registry: ${results[0]?.error ?? ''}`);
    }
    return results;
  };
}

export const reconcile = reconcileHandler(processApp);

/**
 * `%RECONCILE_SCHEDULE%` lets the host read the app setting; a binding expression whose
 * setting is missing stops the host from indexing the function ("'%...%' does not resolve to
 * a value", microsoft/vscode-azurefunctions#5084), so without it the default is written out.
 */
export function scheduleExpression(env: Readonly<Record<string, string | undefined>>): string {
  return env.RECONCILE_SCHEDULE?.trim() ? '%RECONCILE_SCHEDULE%' : defaultReconcileSchedule;
}

functions.app.timer('reconcile', {
  schedule: scheduleExpression(process.env),
  handler: async (timer, context) => {
    await reconcile(timer, context);
  },
});
