/**
 * Debian's docker-registry (distribution 2.8) with our own config: the stock
 * /etc/docker/registry/config.yml binds every interface and turns on htpasswd, so we write
 * one that listens on 127.0.0.1 only, over TLS, with deletes enabled and storage in a
 * temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitUntilReady, type ServiceProcess } from './processes.js';
import type { TestTls } from './tls.js';

export interface RegistryService {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** 127.0.0.1:PORT, the form a reference or ALLOWED_REGISTRIES uses. */
  readonly host: string;
  readonly pid: number;
  /** Filesystem storage root; the emulator edits it to untag (distribution cannot). */
  readonly storageDir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  readonly tls: TestTls;
  readonly binary?: string;
}

const defaultBinary = '/usr/bin/docker-registry';
const attempts = 3;

export async function startRegistry(options: RegistryOptions): Promise<RegistryService> {
  const workDir = await mkdtemp(join(tmpdir(), 'mediatype-guard-registry-'));
  try {
    return await startIn(workDir, options);
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(workDir: string, options: RegistryOptions): Promise<RegistryService> {
  const storageDir = join(workDir, 'storage');
  const configFile = join(workDir, 'config.yml');
  let lastError: unknown;

  // The port is free when picked but may be taken before the registry binds it: retry.
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = await freePort();
    await writeFile(configFile, registryConfig(port, storageDir, options.tls));
    const child = await startProcess('docker-registry', options.binary ?? defaultBinary, [
      'serve',
      configFile,
    ]);
    const url = `https://127.0.0.1:${port}`;
    try {
      await waitUntilReady(child, () => answers(url, options.tls.caPem));
      return service(child, url, storageDir, workDir);
    } catch (err) {
      lastError = err;
      await child.stop();
    }
  }
  throw lastError;
}

function service(
  child: ServiceProcess,
  url: string,
  storageDir: string,
  workDir: string,
): RegistryService {
  return {
    url,
    host: new URL(url).host,
    pid: child.pid,
    storageDir,
    stop: async () => {
      await child.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** YAML by hand: the config is small and flat, and a YAML dependency is not worth it. */
function registryConfig(port: number, storageDir: string, tls: TestTls): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // Without a secret the registry makes one up and warns about it on every start.
    `  secret: ${randomBytes(16).toString('hex')}`,
    '  tls:',
    `    certificate: ${JSON.stringify(tls.certFile)}`,
    `    key: ${JSON.stringify(tls.keyFile)}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    // Foreign and non-distributable layers name `urls`; distribution refuses those unless
    // allowed, where ACR accepts them.
    'validation:',
    '  manifests:',
    '    urls:',
    "      allow: ['^https?://']",
    '',
  ].join('\n');
}

/** GET /v2/ answers 200 once the registry serves (no auth configured). */
function answers(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/v2/`, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
