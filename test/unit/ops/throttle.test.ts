import { describe, expect, it } from 'vitest';
import { manualClock } from './manual-clock.js';
import { RegistryError } from '../../../src/registry/port.js';
import { AdaptiveLimit, backoffMs, isThrottle, retryAfterMs } from '../../../src/scan/throttle.js';

/** A RegistryError as AcrRegistry makes it: the SDK's RestError, with its response, as cause. */
function throttled(retryAfter?: string): RegistryError {
  const headers = new Map(retryAfter === undefined ? [] : [['retry-after', retryAfter]]);
  const cause = Object.assign(new Error('Too Many Requests'), {
    name: 'RestError',
    statusCode: 429,
    response: { status: 429, headers: { get: (name: string) => headers.get(name) } },
  });
  return new RegistryError('get manifest r/a@sha256:x failed (429)', 429, true, { cause });
}

describe('AdaptiveLimit', () => {
  it('lets at most the limit through at once and admits the next when one ends', async () => {
    const limit = new AdaptiveLimit(2);
    await limit.acquire();
    await limit.acquire();
    let third = false;
    const pending = limit.acquire().then(() => (third = true));

    await Promise.resolve();
    expect(third).toBe(false);
    limit.succeeded();
    await pending;
    expect(third).toBe(true);
  });

  it('halves the limit on each throttle, never below one', () => {
    const { clock, wait } = manualClock(1_000_000);
    const limit = new AdaptiveLimit(16, clock, wait);

    const limits = [1, 2, 3, 4, 5].map(() => {
      limit.throttled(0);
      return limit.limit;
    });

    expect(limits).toEqual([8, 4, 2, 1, 1]);
  });

  it('grows back by one after a run of successes, up to the maximum', async () => {
    const limit = new AdaptiveLimit(4);
    limit.throttled(0);
    limit.throttled(0);
    expect(limit.limit).toBe(1);

    for (let i = 0; i < 40; i++) {
      await limit.acquire();
      limit.succeeded();
    }

    expect(limit.limit).toBe(4);
  });

  it('makes every caller wait out the Retry-After of a throttle', async () => {
    const time = manualClock(1_000_000);
    const limit = new AdaptiveLimit(4, time.clock, time.wait);
    await limit.acquire();
    limit.throttled(3_000);

    await limit.acquire();

    expect(time.waits).toEqual([3_000]);
  });

  it('gives up waiting, without a slot, once the signal aborts', async () => {
    const limit = new AdaptiveLimit(1);
    await limit.acquire();
    const controller = new AbortController();
    const pending = limit.acquire(controller.signal);

    controller.abort();
    limit.failed();

    expect(await pending).toBe(false);
  });

  it('refuses a maximum below one', () => {
    expect(() => new AdaptiveLimit(0)).toThrow('concurrency: expected a whole number');
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['seconds', '7', 7_000],
    ['zero', '0', 0],
    ['an HTTP date', new Date(1_000_000 + 5_000).toUTCString(), 4_000],
  ])('reads %s from the SDK error kept as cause', (_, header, expected) => {
    // HTTP dates have whole seconds: 1,005,000 ms rounds down to 1,005 s from 1,001,000.
    expect(retryAfterMs(throttled(header), 1_001_000)).toBe(expected);
  });

  it('is undefined without the header or with a value it cannot read', () => {
    expect(retryAfterMs(throttled())).toBeUndefined();
    expect(retryAfterMs(throttled('soon'))).toBeUndefined();
    expect(retryAfterMs(new Error('plain'))).toBeUndefined();
  });
});

describe('isThrottle and backoffMs', () => {
  it('tells a 429 from other registry failures', () => {
    expect(isThrottle(throttled('1'))).toBe(true);
    expect(isThrottle(new RegistryError('x', 503, true))).toBe(false);
    expect(isThrottle(new Error('429'))).toBe(false);
  });

  it('doubles from half a second, with jitter in the upper half, capped', () => {
    expect(backoffMs(1, 30_000, () => 0)).toBe(250);
    expect(backoffMs(1, 30_000, () => 1)).toBe(500);
    expect(backoffMs(4, 30_000, () => 1)).toBe(4_000);
    expect(backoffMs(20, 30_000, () => 1)).toBe(30_000);
  });
});
