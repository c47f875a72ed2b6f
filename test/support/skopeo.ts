/**
 * skopeo (Debian's, 1.9) as an independent client: it proves that what the app pushed can
 * be pulled and carries the media types claimed. TLS is verified against the test CA through
 * `--cert-dir` (a directory holding ca.crt) unless `tlsVerify: false`.
 */
import { execFile } from 'node:child_process';

export interface SkopeoTarget {
  /** HOST:PORT of the registry or emulator. */
  readonly host: string;
  /** Directory holding the CA as ca.crt (TestTls.certDir). */
  readonly certDir?: string;
  /** false skips certificate checks (--tls-verify=false); default true. */
  readonly tlsVerify?: boolean;
  /** user and password (the emulator's admin) for pushes; anonymous otherwise. */
  readonly credentials?: { readonly username: string; readonly password: string };
}

/** What `skopeo inspect` prints (the fields tests read). */
export interface SkopeoInspection {
  readonly Name: string;
  readonly Digest: string;
  readonly RepoTags: readonly string[];
  readonly Architecture: string;
  readonly Os: string;
  /** Layer digests (skopeo 1.9 has no LayersData with media types: use inspectRaw). */
  readonly Layers: readonly string[];
}

export interface CopyOptions {
  /** Destination manifest type: v2s2 converts OCI to Docker v2, oci the other way. */
  readonly format?: 'v2s2' | 'oci';
  /** Copy every platform of an index, not only the one matching this machine. */
  readonly all?: boolean;
}

const binary = 'skopeo';
const timeoutMs = 60_000;

/** `docker://HOST/REPO:TAG` or `docker://HOST/REPO@DIGEST`. */
export function dockerRef(target: SkopeoTarget, repository: string, reference: string): string {
  const separator = reference.startsWith('sha256:') ? '@' : ':';
  return `docker://${target.host}/${repository}${separator}${reference}`;
}

/** The manifest bytes exactly as the registry serves them. */
export async function inspectRaw(
  target: SkopeoTarget,
  repository: string,
  reference: string,
): Promise<Buffer> {
  const args = [
    'inspect',
    '--raw',
    ...access(target, ''),
    dockerRef(target, repository, reference),
  ];
  return run(args);
}

/** The parsed `skopeo inspect` summary (reads the config too). */
export async function inspect(
  target: SkopeoTarget,
  repository: string,
  reference: string,
): Promise<SkopeoInspection> {
  const args = ['inspect', ...access(target, ''), dockerRef(target, repository, reference)];
  return JSON.parse((await run(args)).toString('utf8')) as SkopeoInspection;
}

/** Copies between two registries (or two repositories of one). */
export async function copy(
  source: SkopeoTarget & { readonly repository: string; readonly reference: string },
  destination: SkopeoTarget & { readonly repository: string; readonly reference: string },
  options: CopyOptions = {},
): Promise<void> {
  await run([
    '--insecure-policy', // no signature policy file needed; the images are our own
    'copy',
    '--quiet',
    ...(options.format ? ['--format', options.format] : []),
    ...(options.all ? ['--all'] : []),
    ...access(source, 'src-'),
    ...access(destination, 'dest-'),
    dockerRef(source, source.repository, source.reference),
    dockerRef(destination, destination.repository, destination.reference),
  ]);
}

function access(target: SkopeoTarget, prefix: '' | 'src-' | 'dest-'): string[] {
  const args: string[] = [];
  if (target.tlsVerify === false) args.push(`--${prefix}tls-verify=false`);
  else if (target.certDir) args.push(`--${prefix}cert-dir`, target.certDir);
  if (target.credentials) {
    const { username, password } = target.credentials;
    args.push(`--${prefix}creds`, `${username}:${password}`);
  } else {
    args.push(`--${prefix}no-creds`);
  }
  return args;
}

function run(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      args,
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const message = `${binary} ${redact(args).join(' ')}: ${stderr.toString('utf8').trim()}`;
        reject(new Error(message, { cause: err }));
      },
    );
  });
}

/** Keeps passwords out of error messages. */
function redact(args: string[]): string[] {
  return args.map((arg, i) => (args[i - 1]?.endsWith('creds') ? '***' : arg));
}
