/**
 * Azurite's Table service, in memory, on a free port of 127.0.0.1. Importing azurite fails
 * under ESM, so it runs as its own Node process; we start its table entry point directly
 * with this Node binary, so the PID we hold is Azurite's and not a shell wrapper's.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, startProcess, waitUntilReady } from './processes.js';

export interface AzuriteService {
  /** Azurite's well-known development account, with TableEndpoint on our port. */
  readonly connectionString: string;
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  readonly tableEndpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export const devAccountName = 'devstoreaccount1';
/** Azurite's published development key (public, documented; not a secret). */
export const devAccountKey =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const attempts = 3;

export async function startAzurite(): Promise<AzuriteService> {
  const script = await azuriteTableScript();
  // Azurite writes nothing with --inMemoryPersistence (which refuses --location), but a
  // scratch working directory keeps any stray file out of the checkout all the same.
  const location = await mkdtemp(join(tmpdir(), 'mediatype-guard-azurite-'));
  let lastError: unknown;

  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    const child = await startProcess(
      'azurite-table',
      process.execPath,
      [
        script,
        ...['--inMemoryPersistence', '--disableTelemetry', '--silent'],
        ...['--tableHost', '127.0.0.1', '--tablePort', String(port)],
      ],
      { cwd: location },
    );
    const tableEndpoint = `http://127.0.0.1:${port}/${devAccountName}`;
    try {
      await waitUntilReady(child, () => answers(tableEndpoint));
      return {
        connectionString: connectionString(tableEndpoint),
        tableEndpoint,
        pid: child.pid,
        stop: async () => {
          await child.stop();
          await rm(location, { recursive: true, force: true });
        },
      };
    } catch (err) {
      lastError = err;
      await child.stop();
    }
  }
  await rm(location, { recursive: true, force: true });
  throw lastError;
}

export function connectionString(tableEndpoint: string): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccountName}`,
    `AccountKey=${devAccountKey}`,
    `TableEndpoint=${tableEndpoint};`,
  ].join(';');
}

async function azuriteTableScript(): Promise<string> {
  const require = createRequire(import.meta.url);
  const packageFile = require.resolve('azurite/package.json');
  const manifest = JSON.parse(await readFile(packageFile, 'utf8')) as {
    bin?: Record<string, string>;
  };
  const bin = manifest.bin?.['azurite-table'];
  if (!bin) throw new Error(`${packageFile}: expected a bin entry "azurite-table", found none`);
  return join(dirname(packageFile), bin);
}

/** Any HTTP answer (403 without a signature) means the table service listens. */
function answers(tableEndpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${tableEndpoint}/Tables`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
