/**
 * The time an invocation has left. Event Grid waits 30 s for an answer and redelivers after
 * that whatever happened, so work that runs on past it only races its own redelivery.
 * AsyncLocalStorage carries the deadline to every registry call the invocation makes,
 * without threading a signal through each port.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with a deadline `ms` from now; calls made inside it are abandoned at that time. */
export function withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  return deadlines.run(AbortSignal.timeout(ms), fn);
}

/** The current invocation's deadline, combined with a call's own limit. */
export function boundedSignal(callMs: number): AbortSignal {
  const deadline = deadlines.getStore();
  const call = AbortSignal.timeout(callMs);
  return deadline ? AbortSignal.any([call, deadline]) : call;
}

/** True once the current invocation's deadline has passed. */
export function deadlinePassed(): boolean {
  return deadlines.getStore()?.aborted ?? false;
}
