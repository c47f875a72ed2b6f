/**
 * Child processes for test services: started with a known PID, stopped by that PID, and
 * killed when this process exits so a crashed run leaves nothing listening.
 *
 * No vitest imports: the benchmark script uses the same helpers.
 */
import { spawn } from 'node:child_process';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited (and Node has reaped it). */
  readonly exited: Promise<ExitInfo>;
  /** The last few KiB of stdout and stderr, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const outputLimit = 16 * 1024;
const live = new Set<number>();
let exitHookInstalled = false;

/** Spawns `command`; rejects when it cannot start at all (missing binary, bad cwd). */
export async function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: StartOptions = {},
): Promise<ServiceProcess> {
  installExitHook();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-outputLimit);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);

  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid ?? -1));
    child.once('error', (err) =>
      reject(new Error(`${name}: cannot run ${command}`, { cause: err })),
    );
  });
  live.add(pid);
  void exited.then(() => live.delete(pid));

  return {
    name,
    pid,
    exited,
    output: () => output,
    stop: (graceMs = 5000) => stopPid(pid, exited, graceMs),
  };
}

/** PIDs of processes started here that have not exited yet. */
export function livePids(): number[] {
  return [...live];
}

/** Stops a process this module started, by PID: TERM first, KILL if it lingers. */
export async function stopPid(pid: number, exited: Promise<ExitInfo>, graceMs = 5000) {
  if (!live.has(pid)) return;
  signal(pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signal(pid, 'SIGKILL');
    await exited;
  }
}

/**
 * Polls `probe` until it returns true. Fails early, with the process output, when the
 * process exits first, and after `timeoutMs` otherwise.
 */
export async function waitUntilReady(
  service: Pick<ServiceProcess, 'name' | 'exited' | 'output'>,
  probe: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  let exit: ExitInfo | undefined;
  void service.exited.then((info) => (exit = info));
  const deadline = Date.now() + timeoutMs;

  while (Date.now() < deadline) {
    if (exit) {
      const how = exit.signal ?? `code ${exit.code}`;
      throw new Error(`${service.name} exited (${how}) before it was ready:\n${service.output()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${service.name} not ready after ${timeoutMs} ms:\n${service.output()}`);
}

export { freePort } from '../../src/free-port.js';

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    // ESRCH: already gone, which is what we wanted.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: process.kill is.
  process.on('exit', () => {
    for (const pid of live) signal(pid, 'SIGKILL');
  });
}
