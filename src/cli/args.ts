/** A small, strict argument parser: unknown flags and missing values are usage errors. */

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  /** Takes a value (`--format json`); otherwise a boolean switch. */
  readonly value?: boolean;
  /** May be given more than once. */
  readonly repeat?: boolean;
}

export interface Parsed {
  readonly positional: string[];
  readonly flags: Map<string, string[]>;
}

export function parseArgs(
  argv: readonly string[],
  spec: Readonly<Record<string, FlagSpec>>,
): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const flag = spec[name];
    if (!flag) throw new UsageError(`unknown option --${name}`);
    let value = 'true';
    if (flag.value) {
      const next = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (next === undefined || next === '') throw new UsageError(`--${name} needs a value`);
      value = next;
    } else if (eq >= 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    const values = flags.get(name) ?? [];
    if (values.length > 0 && !flag.repeat) throw new UsageError(`--${name} given twice`);
    flags.set(name, [...values, value]);
  }
  return { positional, flags };
}

export function oneOf<T extends string>(
  parsed: Parsed,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = parsed.flags.get(name)?.[0];
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} "${value}": expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function positiveInt(parsed: Parsed, name: string, fallback: number, max: number): number {
  const value = parsed.flags.get(name)?.[0];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`--${name} "${value}": expected a whole number from 1 to ${max}`);
  }
  return n;
}
