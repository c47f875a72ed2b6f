/** Event Grid trigger: every ACR push and delete event of the allowed registries. */
import functions from '@azure/functions';
import type { EventGridEvent, InvocationContext } from '@azure/functions';
import { processApp, type App } from '../app.js';
import { lineLogger } from '../log.js';
import { handleEvent, type EventOutcome } from '../scan/handle-event.js';

/** Builds the handler over an app; tests pass one wired to local services. */
export function registryEventHandler(getApp: () => Promise<App>) {
  return async (event: unknown, context: InvocationContext): Promise<EventOutcome> => {
    const app = await getApp();
    return handleEvent(event, {
      config: app.config,
      registryFor: app.registryFor,
      store: app.store,
      // InvocationContext has the info/warn/error line writers a line logger needs.
      log: lineLogger(context),
    });
  };
}

export const onRegistryEvent = registryEventHandler(processApp);

functions.app.eventGrid('onRegistryEvent', {
  handler: (event: EventGridEvent, context) => onRegistryEvent(event, context).then(() => {}),
});
