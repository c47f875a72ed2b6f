/**
 * Every Bicep file compiles and lints with the real Bicep CLI, with no diagnostic at all:
 * errors, warnings and infos all fail (rule levels live in infra/bicepconfig.json).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, scratchDir } from './arm.js';
import { diagnosticLines, findBicep, infraDir, repoRoot, runBicep } from './bicep-cli.js';

const bicep = findBicep();
const pattern = 'infra/**/*.bicep';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

const bicepFiles = filesUnder(infraDir).filter((f) => f.endsWith('.bicep'));

describe.skipIf(!bicep.bin)(`Bicep files (${bicep.reason ?? 'Bicep'})`, () => {
  const outDir = scratchDir('infra-build');
  afterAll(() => removeDir(outDir));

  it('lint with no diagnostic', async () => {
    const run = await runBicep(bicep.bin as string, ['lint', '--pattern', pattern]);
    expect(diagnosticLines(run.stdout + run.stderr)).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
  }, 60_000);

  it('build with no diagnostic', async () => {
    const run = await runBicep(bicep.bin as string, [
      'build',
      '--pattern',
      pattern,
      '--outdir',
      outDir,
    ]);
    expect(diagnosticLines(run.stdout + run.stderr)).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    const built = filesUnder(outDir).map((f) => relative(outDir, f));
    expect(built.sort()).toEqual(
      bicepFiles.map((f) => relative(infraDir, f).replace(/\.bicep$/, '.json')).sort(),
    );
  }, 60_000);
});

describe('infra files', () => {
  const textFiles = [
    ...filesUnder(infraDir),
    join(repoRoot, 'azure.yaml'),
    join(repoRoot, 'scripts/install-bicep.sh'),
  ];

  it('include the azd layout', () => {
    const names = textFiles.map((f) => relative(repoRoot, f));
    for (const expected of [
      'azure.yaml',
      'infra/main.bicep',
      'infra/main.parameters.json',
      'infra/abbreviations.json',
    ]) {
      expect(names).toContain(expected);
    }
    expect(names.some((n) => n.startsWith('infra/app/') && n.endsWith('.bicep'))).toBe(true);
  });

  it.each(textFiles.map((f) => relative(repoRoot, f)))('%s keeps lines within 100 columns', (f) => {
    const long = readFileSync(join(repoRoot, f), 'utf8')
      .split('\n')
      .map((line, i) => ({ line: i + 1, length: line.length }))
      .filter((l) => l.length > 100);
    expect(long).toEqual([]);
  });
});
