/**
 * Adaptive concurrency for walking a registry. ACR answers 429 with a Retry-After that counts
 * down once a registry (or one identity) passes its read limit; the SDK retries a few times,
 * and what still fails here slows the whole scan down instead of failing an image for good.
 */
import { RegistryError } from '../registry/port.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A timer that ends early, without error, when the signal aborts. */
export const sleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * At most `current` calls at once, `current` between 1 and `max`: halved on a throttle, grown
 * by one after a run of successes (additive increase, multiplicative decrease), and everyone
 * waits while a Retry-After is running.
 */
export class AdaptiveLimit {
  private active = 0;
  private streak = 0;
  private pausedUntil = 0;
  private current: number;
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly max: number,
    private readonly clock: () => number = Date.now,
    private readonly wait: Sleep = sleep,
  ) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`concurrency: expected a whole number of at least 1, got ${max}`);
    }
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  /** Takes a slot, waiting for one (and for any pause); false when `signal` aborted first. */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal?.aborted) return false;
      const pause = this.pausedUntil - this.clock();
      if (pause > 0) {
        await this.wait(pause, signal);
      } else if (this.active < this.current) {
        this.active++;
        return true;
      } else {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    }
  }

  /** Ends a call that the registry answered. */
  succeeded(): void {
    this.streak++;
    if (this.streak >= this.current * 4 && this.current < this.max) {
      this.current++;
      this.streak = 0;
    }
    this.release();
  }

  /** Ends a call that was throttled; everyone waits `pauseMs` before the next call. */
  throttled(pauseMs: number): void {
    this.current = Math.max(1, Math.floor(this.current / 2));
    this.streak = 0;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock() + pauseMs);
    this.release();
  }

  /** Ends a call that failed for another reason; the limit stays as it is. */
  failed(): void {
    this.release();
  }

  private release(): void {
    this.active = Math.max(0, this.active - 1);
    // Wake everyone: the limit may have grown, and waiters recheck it themselves.
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Exponential back-off with jitter: 0.5 s, 1 s, 2 s ... capped at `capMs`. */
export function backoffMs(attempt: number, capMs = 30_000, random = Math.random): number {
  const base = Math.min(capMs, 500 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Whether the registry asked us to slow down (after the SDK's own retries ran out). */
export function isThrottle(err: unknown): err is RegistryError {
  return err instanceof RegistryError && err.status === 429;
}

/**
 * The wait a 429 asked for, from the Retry-After header of the SDK's RestError kept as the
 * cause: seconds (what ACR sends) or an HTTP date (RFC 9110, section 10.2.3).
 */
export function retryAfterMs(err: unknown, now = Date.now()): number | undefined {
  const value = headerOf((err as { cause?: unknown } | null)?.cause ?? err, 'retry-after');
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { response?: { headers?: { get?: unknown } } } | null)?.response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  const value: unknown = (headers.get as (key: string) => unknown).call(headers, name);
  return typeof value === 'string' ? value : undefined;
}
