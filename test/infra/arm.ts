/**
 * Reading compiled ARM templates and Bicep deployment snapshots in the infra tests.
 * Bicep emits languageVersion 2.0 (resources keyed by symbolic name) when a file uses
 * user-defined functions or types, and 1.0 (an array) otherwise: both are handled.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { infraDir, repoRoot, runBicep } from './bicep-cli.js';

export type Json = Record<string, unknown>;

export interface ArmResource {
  readonly symbol: string;
  readonly type: string;
  readonly condition?: unknown;
  readonly resourceGroup?: unknown;
  readonly properties: Json;
  readonly raw: Json;
}

export interface Template {
  readonly resources: readonly ArmResource[];
  readonly raw: Json;
}

export function asTemplate(raw: Json): Template {
  const resources = raw.resources as Json[] | Record<string, Json>;
  const entries = Array.isArray(resources)
    ? resources.map((r, i) => [String(i), r] as const)
    : Object.entries(resources);
  return {
    raw,
    resources: entries.map(([symbol, r]) => ({
      symbol,
      type: String(r.type),
      condition: r.condition,
      resourceGroup: r.resourceGroup,
      properties: (r.properties ?? {}) as Json,
      raw: r,
    })),
  };
}

/** The template of a module (a nested deployment), by its symbolic name. */
export function moduleTemplate(parent: Template, symbol: string): Template {
  const module = parent.resources.find((r) => r.symbol === symbol);
  if (!module || module.type !== 'Microsoft.Resources/deployments') {
    throw new Error(`module "${symbol}": expected a nested deployment, found ${module?.type}`);
  }
  return asTemplate(module.properties.template as Json);
}

export function resourcesOfType(template: Template, type: string): ArmResource[] {
  return template.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

/** One resource predicted by `bicep snapshot`, with what could be evaluated evaluated. */
export interface Predicted {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly properties: Json;
  readonly raw: Json;
}

export interface Snapshot {
  readonly resources: readonly Predicted[];
  readonly diagnostics: readonly unknown[];
  readonly outputs: Json;
}

export const fakeScope = {
  subscriptionId: '00000000-0000-0000-0000-00000000abcd',
  resourceGroup: 'rg-guard',
  location: 'westeurope',
};

/** Parameter values for one snapshot, written as a .bicepparam next to a scratch copy. */
export type ParamValues = Record<string, string | boolean | number>;

/**
 * Predicts the deployment of infra/main.bicep for the given parameters with `bicep snapshot`,
 * which expands modules and evaluates every expression known before deployment (conditions,
 * names, role ids). Runtime values (principal ids, endpoints) stay as expressions.
 */
export async function snapshot(bin: string, dir: string, name: string, params: ParamValues) {
  await mkdir(dir, { recursive: true });
  const mainPath = relative(dir, join(infraDir, 'main.bicep')).split('\\').join('/');
  const lines = [`using '${mainPath}'`, ...Object.entries(params).map(paramLine)];
  const file = join(dir, `${name}.bicepparam`);
  await writeFile(file, `${lines.join('\n')}\n`);

  const run = await runBicep(bin, [
    'snapshot',
    file,
    '--mode',
    'overwrite',
    '--subscription-id',
    fakeScope.subscriptionId,
    '--resource-group',
    fakeScope.resourceGroup,
    '--location',
    fakeScope.location,
  ]);
  if (run.code !== 0) {
    throw new Error(`bicep snapshot ${name}: exit ${run.code}\n${run.stdout}${run.stderr}`);
  }
  const raw = JSON.parse(await readFile(join(dir, `${name}.snapshot.json`), 'utf8')) as Json;
  return {
    resources: (raw.predictedResources as Json[]).map((r) => ({
      id: String(r.id),
      type: String(r.type),
      name: String(r.name),
      properties: (r.properties ?? {}) as Json,
      raw: r,
    })),
    diagnostics: (raw.diagnostics ?? []) as unknown[],
    outputs: (raw.outputs ?? {}) as Json,
  } satisfies Snapshot;
}

function paramLine([key, value]: [string, string | boolean | number]): string {
  const literal = typeof value === 'string' ? `'${value.replace(/'/g, "\\'")}'` : String(value);
  return `param ${key} = ${literal}`;
}

export function ofType(snap: Snapshot, type: string): Predicted[] {
  return snap.resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
}

export function scratchDir(label: string): string {
  return join(repoRoot, 'test/.tmp', `${label}-${process.pid}-${Date.now()}`);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
