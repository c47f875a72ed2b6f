/** Event Grid trigger: every ACR push and delete event of the allowed registries. */
import functions from '@azure/functions';
import type { EventGridEvent, InvocationContext } from '@azure/functions';
import { processApp, type App } from '../app.js';
import { withDeadline } from '../deadline.js';
import { lineLogger } from '../log.js';
import { handleEvent, type EventOutcome } from '../scan/handle-event.js';

/**
 * Event Grid waits 30 s for an answer. Registry calls still running at 25 s are abandoned and
 * the delivery fails, so Event Grid redelivers and the retry resumes where this one stopped.
 */
export const eventDeadlineMs = 25_000;

/** Builds the handler over an app; tests pass one wired to local services. */
export function registryEventHandler(getApp: () => Promise<App>, deadlineMs = eventDeadlineMs) {
  return async (event: unknown, context: InvocationContext): Promise<EventOutcome> => {
    const app = await getApp();
    return withDeadline(deadlineMs, () =>
      handleEvent(event, {
        config: app.config,
        registryFor: app.registryFor,
        store: app.store,
        // InvocationContext has the info/warn/error line writers a line logger needs.
        log: lineLogger(context),
      }),
    );
  };
}

export const onRegistryEvent = registryEventHandler(processApp);

functions.app.eventGrid('onRegistryEvent', {
  handler: (event: EventGridEvent, context) => onRegistryEvent(event, context).then(() => {}),
});
