/**
 * Finds and runs the real Bicep CLI for the infra tests. Bicep ships as a NuGet package whose
 * tools/bicep is the native executable; scripts/install-bicep.sh restores it with the dotnet
 * SDK. Without a Bicep CLI and without dotnet the infra tests skip, saying why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
export const infraDir = join(repoRoot, 'infra');

/** The version scripts/install-bicep.sh installs; other cached versions are a fallback. */
const pinnedVersion = '0.49.2';
const packageId = 'azure.bicep.commandline.linux-x64';

export interface BicepLookup {
  readonly bin?: string;
  /** Why there is no binary, when there is none. */
  readonly reason?: string;
}

export function findBicep(env: NodeJS.ProcessEnv = process.env): BicepLookup {
  const found = existingBicep(env);
  if (found) return { bin: found };
  if (!onPath('dotnet', env)) {
    return {
      reason: 'no Bicep CLI (BICEP_BIN, PATH, NuGet cache) and no dotnet SDK to restore it',
    };
  }

  // dotnet is here, so the CLI must be too: restore it rather than skip.
  const installed = execFileSync('bash', [join(repoRoot, 'scripts/install-bicep.sh')], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  if (installed === '' || !existsSync(installed)) {
    return { reason: `scripts/install-bicep.sh printed "${installed}", not a Bicep CLI path` };
  }
  return { bin: installed };
}

function existingBicep(env: NodeJS.ProcessEnv): string | undefined {
  if (env.BICEP_BIN && existsSync(env.BICEP_BIN)) return env.BICEP_BIN;
  const onPathBin = onPath('bicep', env);
  if (onPathBin) return onPathBin;

  const packages = join(env.NUGET_PACKAGES ?? join(homedir(), '.nuget/packages'), packageId);
  if (!existsSync(packages)) return undefined;
  const versions = readdirSync(packages).sort(byVersionDescending);
  const ordered = versions.includes(pinnedVersion) ? [pinnedVersion, ...versions] : versions;
  return ordered.map((v) => join(packages, v, 'tools/bicep')).find((bin) => existsSync(bin));
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function byVersionDescending(a: string, b: string): number {
  const parts = (v: string) => v.split('.').map((p) => Number.parseInt(p, 10) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pb[i] ?? 0) - (pa[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export interface BicepRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; never throws on a non-zero exit, so tests can show the diagnostics. */
export function runBicep(bin: string, args: readonly string[], cwd = repoRoot): Promise<BicepRun> {
  return new Promise((done) => {
    const options = {
      cwd,
      encoding: 'utf8' as const,
      maxBuffer: 64 * 1024 * 1024,
      // No telemetry and no update checks: CI has no network but the package registries.
      env: { ...process.env, BICEP_TELEMETRY_ENABLED: 'false', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
    };
    execFile(bin, [...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** Bicep prints one line per diagnostic: `path(line,col) : Level code: message`. */
export function diagnosticLines(output: string): string[] {
  return output.split('\n').filter((line) => /\(\d+,\d+\) : (Error|Warning|Info)\b/.test(line));
}
