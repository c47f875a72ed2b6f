import { describe, expect, it } from 'vitest';
import { formatFields } from '../../../src/log.js';

describe('formatFields', () => {
  it('writes fixed keys first, in a stable order, on one line', () => {
    const line = formatFields({
      status: 'noncompliant',
      decision: 'verdict',
      zeta: 1,
      registry: 'r.azurecr.io',
      error: 'two\nlines "quoted"',
      tag: undefined,
    });
    expect(line).toBe(
      'decision=verdict registry=r.azurecr.io status=noncompliant error="two lines \\"quoted\\"" zeta=1',
    );
  });
});
