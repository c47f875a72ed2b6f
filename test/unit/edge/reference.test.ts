import { describe, expect, it } from 'vitest';
import { commonName, parseReference, ReferenceError } from '../../../src/domain/reference.js';

const digest = 'sha256:' + 'b'.repeat(64);

describe('parseReference', () => {
  it.each([
    ['myreg.azurecr.io/app:1.0', { registry: 'myreg.azurecr.io', repository: 'app', tag: '1.0' }],
    [
      'myreg.azurecr.io/team/app',
      { registry: 'myreg.azurecr.io', repository: 'team/app', tag: 'latest' },
    ],
    [`127.0.0.1:5000/a/b@${digest}`, { registry: '127.0.0.1:5000', repository: 'a/b', digest }],
    [
      `MyReg.azurecr.io/a:v1@${digest}`,
      { registry: 'myreg.azurecr.io', repository: 'a', tag: 'v1', digest },
    ],
  ])('parses %s', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each([
    ['app:1.0', 'no registry'],
    ['myreg.azurecr.io/App:1', 'invalid repository'],
    ['myreg.azurecr.io/app:-bad', 'invalid tag'],
    ['myreg.azurecr.io/app@sha256:123', 'invalid digest'],
  ])('refuses %s (%s)', (text, message) => {
    expect(() => parseReference(text)).toThrow(ReferenceError);
    expect(() => parseReference(text)).toThrow(message);
  });

  it('spells a reference back the usual way', () => {
    const ref = parseReference(`myreg.azurecr.io/a/b:1@${digest}`);
    expect(commonName(ref)).toBe(`myreg.azurecr.io/a/b:1@${digest}`);
  });
});
