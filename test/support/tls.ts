/**
 * A throwaway CA and a server certificate (SAN 127.0.0.1 and localhost) for the test
 * services, made with openssl.
 *
 * Synchronous on purpose: vitest.config.ts calls it while the config loads, because Node
 * reads NODE_EXTRA_CA_CERTS only at process start and vitest copies process.env for its
 * worker pool before any globalSetup runs. The files are kept under test/.tmp/tls
 * (gitignored) and reused until they near expiry, so concurrent runs share one CA.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TestTls {
  readonly dir: string;
  /** PEM of the CA; give it to NODE_EXTRA_CA_CERTS or an https `ca` option. */
  readonly caFile: string;
  readonly caPem: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A directory holding only ca.crt, the layout `skopeo --cert-dir` expects. */
  readonly certDir: string;
}

const validDays = 365;
const renewWithinDays = 30;

/** test/.tmp/tls of this checkout. */
export function defaultTlsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '.tmp', 'tls');
}

/** Returns the CA and server certificate in `dir`, making them first when missing or old. */
export function prepareTestTls(dir: string = defaultTlsDir()): TestTls {
  if (!isUsable(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    const fresh = mkdtempSync(`${dir}-new-`);
    try {
      generate(fresh);
      install(fresh, dir);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  return describe(dir);
}

/**
 * For plain Node scripts (the benchmark): Node trusts NODE_EXTRA_CA_CERTS only from process
 * start, so when it does not name the test CA, run this script again with it set and exit
 * with the child's status. Returns when the current process already trusts the CA.
 */
export function relaunchTrustingTestCa(tls: TestTls = prepareTestTls()): void {
  if (process.env.NODE_EXTRA_CA_CERTS === tls.caFile) return;
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: tls.caFile };
  const args = [...process.execArgv, ...process.argv.slice(1)];
  try {
    execFileSync(process.execPath, args, { env, stdio: 'inherit' });
    process.exit(0);
  } catch (err) {
    process.exit((err as { status?: number }).status ?? 1);
  }
}

function describe(dir: string): TestTls {
  const caFile = join(dir, 'ca.crt');
  return {
    dir,
    caFile,
    caPem: readFileSync(caFile, 'utf8'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    certDir: join(dir, 'certs'),
  };
}

function isUsable(dir: string): boolean {
  const files = ['ca.crt', 'server.crt', 'server.key', join('certs', 'ca.crt')];
  if (!files.every((file) => existsSync(join(dir, file)))) return false;
  try {
    const cert = new X509Certificate(readFileSync(join(dir, 'server.crt')));
    const renewAt = Date.now() + renewWithinDays * 24 * 3600 * 1000;
    return new Date(cert.validTo).getTime() > renewAt;
  } catch {
    return false;
  }
}

function generate(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const days = ['-days', String(validDays)];
  openssl(dir, [
    ...['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', ...days],
    ...['-subj', '/CN=acr-mediatype-guard test CA'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE'],
    ...['-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
  openssl(dir, [
    'req',
    '-new',
    ...ec,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=127.0.0.1',
  ]);
  // Go (distribution) and Node both check the SAN, not the CN.
  const extensions = [
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ];
  writeFileSync(join(dir, 'server.ext'), `${extensions.join('\n')}\n`);
  openssl(dir, [
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-sha256'],
    ...['-set_serial', `0x${randomBytes(8).toString('hex')}`, ...days],
    ...['-extfile', 'server.ext', '-out', 'server.crt'],
  ]);
  mkdirSync(join(dir, 'certs'));
  copyFileSync(join(dir, 'ca.crt'), join(dir, 'certs', 'ca.crt'));
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`openssl ${args[0]} failed in ${cwd}: ${stderr.trim()}`, { cause: err });
  }
}

/**
 * Moves a fresh set into place. Another run may have installed one meanwhile: then that set
 * is kept (runs that already read its paths keep working) and ours is dropped.
 */
function install(fresh: string, dir: string): void {
  if (isUsable(dir)) return;
  if (existsSync(dir)) {
    const old = `${dir}-old-${process.pid}-${Date.now()}`;
    try {
      renameSync(dir, old);
      rmSync(old, { recursive: true, force: true });
    } catch {
      // Someone else moved or removed it first.
    }
  }
  try {
    renameSync(fresh, dir);
  } catch (err) {
    // A rename onto a non-empty directory fails: another run won the race.
    if (!isUsable(dir)) throw err;
  }
}
