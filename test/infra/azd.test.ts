/**
 * The azd side of the deployment: azure.yaml, the parameters file (for azd and, rendered,
 * for `az deployment group create`) and the hooks that make one `azd up` end with events
 * flowing. The hooks run against a fake `azd` executable on PATH that records its calls.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, scratchDir, type Json } from './arm.js';
import { findBicep, infraDir, repoRoot, runBicep } from './bicep-cli.js';

const mainBicep = readFileSync(join(infraDir, 'main.bicep'), 'utf8');
const azureYaml = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
const parametersFile = JSON.parse(readFileSync(join(infraDir, 'main.parameters.json'), 'utf8')) as {
  parameters: Record<string, { value: unknown }>;
};

/** `param name type` lines of main.bicep, and whether each has a default. */
const bicepParams = [...mainBicep.matchAll(/^param (\w+) (\w+)( = .*)?$/gm)].map((m) => ({
  name: m[1] as string,
  type: m[2] as string,
  required: m[3] === undefined,
}));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd = repoRoot): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { cwd, env, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

describe('azure.yaml', () => {
  it('deploys the function app that main.bicep tags for the service', () => {
    const service = /^services:\n {2}(?:#.*\n {2})*([\w-]+):\n((?: {4}.*\n)+)/m.exec(azureYaml);
    expect(service?.[1]).toBe('guard');
    expect(service?.[2]).toMatch(/language: ts/);
    expect(service?.[2]).toMatch(/host: function/);
    expect(mainBicep).toMatch(/^var serviceName = 'guard'$/m);
  });

  it.each(['postdeploy', 'predown', 'postdown'])('runs the %s hook in sh and in pwsh', (hook) => {
    const block = new RegExp(`^ {2}${hook}:\\n((?: {4}.*\\n)+)`, 'm').exec(azureYaml)?.[1] ?? '';
    const scripts = [...block.matchAll(/run: (\S+)/g)].map((m) => m[1]);
    expect(scripts).toEqual([`infra/hooks/${hook}.sh`, `infra/hooks/${hook}.ps1`]);
    expect(block).toMatch(/shell: sh[\s\S]*shell: pwsh/);
    for (const script of scripts) {
      expect(() => readFileSync(join(repoRoot, script as string))).not.toThrow();
    }
  });
});

describe('main.parameters.json', () => {
  it('sets only parameters main.bicep declares', () => {
    const declared = bicepParams.map((p) => p.name);
    expect(Object.keys(parametersFile.parameters).filter((n) => !declared.includes(n))).toEqual([]);
  });

  it('gives every required parameter a value, so azd never has to guess', () => {
    const required = bicepParams.filter((p) => p.required).map((p) => p.name);
    expect(required.filter((n) => !(n in parametersFile.parameters))).toEqual([]);
  });

  it('starts every environment without the event subscription', () => {
    expect(parametersFile.parameters.deployEventSubscription?.value).toBe(
      '${DEPLOY_EVENT_SUBSCRIPTION=false}',
    );
  });
});

describe('infra/render-parameters.sh', () => {
  const script = join(infraDir, 'render-parameters.sh');
  const required = {
    AZURE_ENV_NAME: 'guard-prod',
    REGISTRY_NAME: 'contosoacr',
    REGISTRY_RESOURCE_GROUP: 'rg-acr',
  };
  const render = (env: Record<string, string>) =>
    run('sh', [script], { PATH: process.env.PATH, ...env });
  const values = (out: string) =>
    Object.fromEntries(
      Object.entries(
        (JSON.parse(out) as { parameters: Record<string, { value: unknown }> }).parameters,
      ).map(([k, v]) => [k, v.value]),
    );

  it('resolves placeholders from the environment and defaults, as azd does', async () => {
    const result = await render({
      ...required,
      REMEDIATION: 'quarantine',
      EXEMPT_REPOSITORIES: '',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(values(result.stdout)).toMatchObject({
      environmentName: 'guard-prod',
      registryName: 'contosoacr',
      registryResourceGroup: 'rg-acr',
      remediation: 'quarantine',
      remediationDryRun: true,
      policy: 'strict',
      exemptRepositories: '',
      reconcileSchedule: '0 0 3 * * *',
      privateNetworking: false,
      deployEventSubscription: false,
    });
    expect(result.stdout).not.toContain('${');
  });

  it('writes booleans as JSON booleans and escapes quotes and backslashes', async () => {
    const result = await render({
      ...required,
      PRIVATE_NETWORKING: 'true',
      EXEMPT_REPOSITORIES: 'base/*,we"ird\\name',
    });
    expect(values(result.stdout)).toMatchObject({
      privateNetworking: true,
      exemptRepositories: 'base/*,we"ird\\name',
    });
  });

  it('fails, naming them, when required values are missing', async () => {
    const result = await render({ AZURE_ENV_NAME: 'guard-prod' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REGISTRY_NAME REGISTRY_RESOURCE_GROUP');
  });

  const bicep = findBicep();
  it.skipIf(!bicep.bin)(
    `matches the types main.bicep declares (${bicep.reason ?? 'Bicep'})`,
    async () => {
      const built = await runBicep(bicep.bin as string, ['build', 'infra/main.bicep', '--stdout']);
      const declared = (JSON.parse(built.stdout) as { parameters: Record<string, Json> })
        .parameters;
      const rendered = values((await render({ ...required })).stdout);
      for (const [name, value] of Object.entries(rendered)) {
        const type = declared[name]?.type;
        expect(typeof value, name).toBe(
          type === 'bool' ? 'boolean' : type === 'int' ? 'number' : 'string',
        );
        const allowed = declared[name]?.allowedValues as unknown[] | undefined;
        if (allowed) expect(allowed, name).toContain(value);
      }
    },
    60_000,
  );
});

describe('azd hooks', () => {
  const dir = scratchDir('azd-hooks');
  const log = join(dir, 'azd.log');

  // A stand-in for azd: records each call, and fails `provision` while a counter lasts.
  const fakeAzd = `#!/bin/sh
echo "$*" >> "${log}"
if [ "$1" = provision ] && [ -f "${dir}/fail" ]; then
  left=$(cat "${dir}/fail")
  if [ "$left" -gt 0 ]; then echo $((left - 1)) > "${dir}/fail"; exit 1; fi
fi
exit 0
`;

  beforeAll(async () => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'azd'), fakeAzd);
    await chmod(join(dir, 'azd'), 0o755);
  });
  afterAll(() => removeDir(dir));

  async function hook(name: string, env: Record<string, string>, failures = 0) {
    await writeFile(log, '');
    await writeFile(join(dir, 'fail'), String(failures));
    const path = `${dir}:${process.env.PATH ?? ''}`;
    const env2 = { PATH: path, POSTDEPLOY_RETRY_SECONDS: '0', ...env };
    const result = await run('sh', [join(infraDir, 'hooks', `${name}.sh`)], env2);
    const calls = (await readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
    return { ...result, calls };
  }

  it('postdeploy turns the subscription on and provisions again', async () => {
    const result = await hook('postdeploy', { DEPLOY_EVENT_SUBSCRIPTION: 'false' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls).toEqual([
      'env set DEPLOY_EVENT_SUBSCRIPTION true',
      'provision --no-prompt',
    ]);
  });

  it('postdeploy does nothing once the subscription is part of every provision', async () => {
    const result = await hook('postdeploy', { DEPLOY_EVENT_SUBSCRIPTION: 'true' });
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([]);
  });

  it('postdeploy retries while the new function is not yet known to ARM', async () => {
    const result = await hook('postdeploy', {}, 2);
    expect(result.code, result.stderr).toBe(0);
    expect(result.calls.filter((c) => c.startsWith('provision'))).toHaveLength(3);
  });

  it('postdeploy gives up after three attempts and turns the flag back off', async () => {
    const result = await hook('postdeploy', {}, 3);
    expect(result.code).toBe(1);
    expect(result.calls.at(-1)).toBe('env set DEPLOY_EVENT_SUBSCRIPTION false');
    expect(result.stderr).toContain('azd hooks run postdeploy');
  });

  it('predown refuses to delete a resource group that holds the registry', async () => {
    const same = { AZURE_RESOURCE_GROUP: 'rg-shared', REGISTRY_RESOURCE_GROUP: 'rg-shared' };
    const result = await hook('predown', { ...same, REGISTRY_NAME: 'contosoacr' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refusing');
  });

  it('predown lists what stays in the registry resource group', async () => {
    const env = { AZURE_RESOURCE_GROUP: 'rg-guard', REGISTRY_RESOURCE_GROUP: 'rg-acr' };
    const result = await hook('predown', { ...env, REGISTRY_NAME: 'contosoacr' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('These stay in rg-acr');
  });

  it('postdown starts the next azd up without the subscription', async () => {
    const result = await hook('postdown', {});
    expect(result.calls).toEqual(['env set DEPLOY_EVENT_SUBSCRIPTION false']);
  });
});
