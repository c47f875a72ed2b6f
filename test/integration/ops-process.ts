/**
 * The `mediatype-guard` CLI as a real process, run from source under vite-node, for the ops
 * integration tests: started, waited for, or killed by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const viteNode = join(root, 'node_modules', '.bin', 'vite-node');
const runner = join(root, 'test', 'integration', 'ops-cli-runner.ts');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliProcess {
  const child = spawn(process.execPath, [viteNode, runner, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startCli(args, env).done;
}

/** The environment of a CLI run: the test CA (inherited), a table, no Azure identity. */
export function cliEnv(table: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...table };
  const owned = [
    'COMPLIANCE_TABLE_URL',
    'COMPLIANCE_TABLE_CONNECTION_STRING',
    'COMPLIANCE_TABLE',
    'MEDIATYPE_GUARD_DATA_DIR',
    'AZURE_CLIENT_ID',
    'REMEDIATION',
    'POLICY',
  ];
  for (const name of owned) if (!(name in table)) delete env[name];
  return env;
}
