import { describe, expect, it } from 'vitest';
import { oneOf, parseArgs, positiveInt, UsageError } from '../../../src/cli/args.js';

const spec = { json: {}, format: { value: true }, repository: { value: true, repeat: true } };

describe('parseArgs', () => {
  it('separates positionals, switches, values and repeats', () => {
    const parsed = parseArgs(
      ['a', '--json', '--format=csv', '--repository', 'x/*', '--repository=y', 'b'],
      spec,
    );
    expect(parsed.positional).toEqual(['a', 'b']);
    expect(parsed.flags.get('json')).toEqual(['true']);
    expect(parsed.flags.get('format')).toEqual(['csv']);
    expect(parsed.flags.get('repository')).toEqual(['x/*', 'y']);
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['--format'], '--format needs a value'],
    [['--json=yes'], '--json takes no value'],
    [['--format', 'a', '--format', 'b'], '--format given twice'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseArgs(argv, spec)).toThrow(message);
  });

  it('checks enumerations and numbers by name', () => {
    const parsed = parseArgs(['--format', 'xml'], spec);
    expect(() => oneOf(parsed, 'format', ['table', 'json'], 'table')).toThrow(
      '--format "xml": expected one of table, json',
    );
    const n = parseArgs(['--format', '0'], spec);
    expect(() => positiveInt(n, 'format', 4, 64)).toThrow('from 1 to 64');
  });
});
