/** Event Grid trigger: every ACR push and delete event of the allowed registries. */
import functions from '@azure/functions';
import type { EventGridEvent, InvocationContext } from '@azure/functions';
import { processApp, type App } from '../app.js';
import { lineLogger, type Logger } from '../log.js';
import { handleEvent, type EventOutcome } from '../scan/handle-event.js';

export function contextLogger(context: InvocationContext): Logger {
  return lineLogger({
    info: (line) => context.info(line),
    warn: (line) => context.warn(line),
    error: (line) => context.error(line),
  });
}

/** Builds the handler over an app; tests pass one wired to local services. */
export function registryEventHandler(getApp: () => Promise<App>) {
  return async (event: unknown, context: InvocationContext): Promise<EventOutcome> => {
    const app = await getApp();
    return handleEvent(event, {
      config: app.config,
      registryFor: app.registryFor,
      store: app.store,
      log: contextLogger(context),
    });
  };
}

export const onRegistryEvent = registryEventHandler(processApp);

functions.app.eventGrid('onRegistryEvent', {
  handler: (event: EventGridEvent, context) => onRegistryEvent(event, context).then(() => {}),
});
