#!/usr/bin/env node
/** The `mediatype-guard` command line. */
import { DefaultAzureCredential } from '@azure/identity';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config.js';
import { RegistryError } from '../registry/port.js';
import { UsageError } from './args.js';
import { check, checkUsage } from './check.js';
import { processIO, type CliIO } from './io.js';
import { release, releaseUsage } from './release.js';
import { report, reportUsage } from './report.js';
import { scan, scanUsage } from './scan.js';

const usage = `usage: mediatype-guard <command> [options]

commands:
  check IMAGE_REF...   classify images by tag or digest and print a verdict each
  release IMAGE_REF    make a quarantined image pullable again and record it
  scan                 walk a registry's repositories and tags and record every verdict
  report               print noncompliant tags, per-repository compliance, recent actions

${checkUsage}
${releaseUsage}
${scanUsage}
${reportUsage}

Credentials come from Azure CLI login (az login), environment or managed identity.
Exit status: 0 compliant or exempt, 1 noncompliant, 2 usage or access error.`;

export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.out(usage);
    return command === undefined ? 2 : 0;
  }
  const credential = new DefaultAzureCredential(
    io.env.AZURE_CLIENT_ID ? { managedIdentityClientId: io.env.AZURE_CLIENT_ID } : {},
  );
  try {
    switch (command) {
      case 'check':
        return await check(rest, io, credential);
      case 'release':
        return await release(rest, io, credential);
      case 'scan':
        return await scan(rest, io, credential);
      case 'report':
        return await report(rest, io, credential);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (err) {
    return reportFailure(err, io);
  }
}

function reportFailure(err: unknown, io: CliIO): number {
  if (err instanceof UsageError) {
    io.err(`mediatype-guard: ${err.message}\n\n${usage}`);
    return 2;
  }
  if (err instanceof ConfigError || err instanceof RegistryError) {
    io.err(`mediatype-guard: ${err.message}`);
    return 2;
  }
  io.err(`mediatype-guard: ${err instanceof Error ? err.message : String(err)}`);
  return 2;
}

// Run when executed, also through npm's bin symlink; not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
