/**
 * The CLI's table when none is configured: Azurite, started from this package under the
 * user's data directory and stopped again, so a first run on a laptop needs only `az login`.
 *
 * Azurite flushes to disk every 5 s and on SIGINT (or an IPC "shutdown"); SIGTERM loses the
 * last writes. It runs under a small watchdog that sends it SIGINT when our stdin pipe closes,
 * so even a CLI killed with SIGKILL leaves a flushed table and no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../free-port.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface TableTarget {
  /** The environment to load settings from: a connection string added when embedded. */
  readonly env: Env;
  /** Where the embedded table keeps its data; undefined when a table is configured. */
  readonly dataDir?: string;
  stop(): Promise<void>;
}

/** Azurite's fixed development account (documented, not a secret). */
const devAccount = 'devstoreaccount1';
const devKey =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** The configured table, or an embedded one when neither table setting is present. */
export async function tableTarget(env: Env): Promise<TableTarget> {
  if (env.COMPLIANCE_TABLE_URL?.trim() || env.COMPLIANCE_TABLE_CONNECTION_STRING?.trim()) {
    return { env, stop: async () => {} };
  }
  const dir = dataDir(env);
  const azurite = await startEmbedded(dir);
  return {
    env: { ...env, COMPLIANCE_TABLE_CONNECTION_STRING: azurite.connectionString },
    dataDir: dir,
    stop: azurite.stop,
  };
}

/** MEDIATYPE_GUARD_DATA_DIR, else $XDG_DATA_HOME/mediatype-guard, else ~/.local/share/... */
export function dataDir(env: Env): string {
  const override = env.MEDIATYPE_GUARD_DATA_DIR?.trim();
  if (override) return override;
  const base = env.XDG_DATA_HOME?.trim() || join(homedir(), '.local', 'share');
  return join(base, 'mediatype-guard');
}

interface Embedded {
  readonly connectionString: string;
  stop(): Promise<void>;
}

async function startEmbedded(dir: string): Promise<Embedded> {
  const location = join(dir, 'azurite');
  mkdirSync(location, { recursive: true });
  const lock = takeLock(join(dir, 'azurite.lock'));
  try {
    let lastError: unknown;
    // A free port can be taken before Azurite binds it: try a few.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      try {
        const watchdog = await launch(location, port);
        return {
          connectionString: connectionString(port),
          stop: async () => {
            await shutdown(watchdog);
            lock.release();
          },
        };
      } catch (err) {
        lastError = err;
      }
    }
    throw lastError;
  } catch (err) {
    lock.release();
    throw err;
  }
}

function connectionString(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${devAccount};AccountKey=${devKey};` +
    `TableEndpoint=http://127.0.0.1:${port}/${devAccount};`
  );
}

/** Runs Azurite's table server under the watchdog; resolves once it listens. */
async function launch(location: string, port: number): Promise<ChildProcess> {
  const azurite = azuriteTableMain();
  const args = [azurite, '--location', location, '--tableHost', '127.0.0.1'];
  args.push('--tablePort', String(port), '--disableTelemetry', '--silent');
  const child = spawn(process.execPath, ['-e', watchdogScript, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C at the terminal reaches the CLI, which stops Azurite
    // after its last write, instead of killing Azurite under it.
    detached: true,
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`embedded Azurite: not ready\n${output}`)),
      20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4096);
      if (output.includes('successfully started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on(
      'data',
      (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4096)),
    );
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded Azurite exited (code ${code}) before it was ready\n${output}`));
    });
    child.once('error', reject);
  });
  try {
    await ready;
  } catch (err) {
    await shutdown(child);
    throw err;
  }
  // Nothing more to read; keep the CLI free to exit once it is done.
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return child;
}

/**
 * Closing its stdin tells the watchdog to stop Azurite with SIGINT (a clean flush); SIGKILL
 * only if that has not finished in 10 s.
 */
async function shutdown(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin?.end();
  const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The watchdog: starts Azurite, and stops it when stdin ends (our exit, however abrupt). */
const watchdogScript = `
const { spawn } = require('node:child_process');
const [main, ...args] = process.argv.slice(1);
const child = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
// Once only: Azurite handles the first SIGINT by flushing; a second one kills it mid-flush.
let stopping = false;
const stop = () => {
  if (!stopping && child.exitCode === null) child.kill('SIGINT');
  stopping = true;
};
process.stdin.on('end', stop).on('close', stop).on('error', stop).resume();
process.on('SIGTERM', stop).on('SIGINT', stop);
child.on('exit', (code) => process.exit(code === null ? 1 : code));
`;

function azuriteTableMain(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('azurite/package.json');
  } catch (err) {
    throw new Error(
      'no table configured (COMPLIANCE_TABLE_URL or COMPLIANCE_TABLE_CONNECTION_STRING) and ' +
        'the azurite package for the embedded one is not installed: run the CLI from a ' +
        'checkout after `npm ci`, or `npm install azurite`',
      { cause: err },
    );
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['azurite-table'] ?? 'dist/src/table/main.js');
}

/** One CLI at a time per data directory: two Azurites on one store would corrupt it. */
function takeLock(path: string): { release(): void } {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release: () => {
          if (!released) rmSync(path, { force: true });
          released = true;
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new Error(
          `the embedded table in ${dirname(path)} is in use by process ${holder}; ` +
            'wait for it, or set MEDIATYPE_GUARD_DATA_DIR to another directory',
        );
      }
      // Left by a CLI that was killed: its watchdog has stopped Azurite already.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${path}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
