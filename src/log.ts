/**
 * Decision logging: one line per verdict or action, `key=value` pairs with fixed keys, so a
 * log query can filter on them. Callers pass values; no secrets or tokens ever go in.
 */

export interface LogFields {
  readonly decision: string;
  readonly registry?: string;
  readonly repository?: string;
  readonly tag?: string;
  readonly digest?: string;
  readonly mediaType?: string;
  readonly status?: string;
  readonly action?: string;
  readonly reasons?: string;
  readonly eventId?: string;
  readonly error?: string;
  readonly [key: string]: string | number | boolean | undefined;
}

export interface Logger {
  info(fields: LogFields): void;
  warn(fields: LogFields): void;
  error(fields: LogFields): void;
}

const order = ['decision', 'registry', 'repository', 'tag', 'digest', 'mediaType', 'status'];

/** `decision=verdict registry=r repository=a/b ... error="quoted when spaced"`. */
export function formatFields(fields: LogFields): string {
  const keys = [
    ...order.filter((k) => fields[k] !== undefined),
    ...Object.keys(fields)
      .filter((k) => !order.includes(k) && fields[k] !== undefined)
      .sort(),
  ];
  return keys.map((k) => `${k}=${quote(String(fields[k]))}`).join(' ');
}

function quote(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ').slice(0, 500);
  return /^[^\s"=]+$/.test(oneLine) ? oneLine : JSON.stringify(oneLine);
}

/** A logger over three line writers (console, a Functions context, a test array). */
export function lineLogger(write: {
  info: (line: string) => void;
  warn: (line: string) => void;
  error: (line: string) => void;
}): Logger {
  return {
    info: (fields) => write.info(formatFields(fields)),
    warn: (fields) => write.warn(formatFields(fields)),
    error: (fields) => write.error(formatFields(fields)),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
