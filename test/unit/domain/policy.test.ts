import { describe, expect, it } from 'vitest';
import { isExemptRepository, matchesGlob } from '../../../src/domain/policy.js';

describe('matchesGlob', () => {
  const cases: readonly [repository: string, glob: string, want: boolean][] = [
    ['tools/lint', 'tools/*', true],
    ['tools/lint/v2', 'tools/*', false],
    ['tools', 'tools/*', false],
    ['legacy/a/b/c', 'legacy/**', true],
    ['legacy', 'legacy/**', true],
    ['legacyx/a', 'legacy/**', false],
    ['team/a/base', '**/base', true],
    ['base', '**/base', true],
    ['team/a/base', 'team/**/base', true],
    ['team/base', 'team/**/base', true],
    ['team/a/b', 'team/**/base', false],
    ['app', '*', true],
    ['team/app', '*', false],
    ['team/app', '**', true],
    ['team-a/app', 'team-?/app', true],
    ['team-ab/app', 'team-?/app', false],
    ['web-frontend', 'web-*', true],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['Tools/Lint', 'tools/*', true],
    ['tools/lint', ' tools/* ', true],
    ['tools/lint', '/tools/*', true],
    ['tools/lint', '', false],
    ['x(y)', 'x(y)', true],
  ];

  it.each(cases)('matches %s against %j: %s', (repository, glob, want) => {
    expect(matchesGlob(repository, glob)).toBe(want);
  });
});

describe('isExemptRepository', () => {
  const globs = ['tools/*', 'legacy/**'];

  it.each([
    ['tools/lint', true],
    ['legacy/old/app', true],
    ['apps/web', false],
  ] as const)('says %s is exempt: %s', (repository, want) => {
    expect(isExemptRepository(repository, globs)).toBe(want);
  });

  it('exempts nothing without globs', () => {
    expect(isExemptRepository('tools/lint', [])).toBe(false);
  });
});
