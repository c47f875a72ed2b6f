/** Table failures, wrapped with what was being done. */
import { httpStatusOf } from '../http-status.js';
import { StoreError } from './port.js';

export const statusOf = httpStatusOf;

export function wrap(what: string, err: unknown): StoreError {
  const status = statusOf(err);
  const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new StoreError(`table store: ${what} failed${status ? ` (${status})` : ''}: ${detail}`, {
    cause: err,
  });
}
