/**
 * Properties of the compiled ARM template of infra/main.bicep that hold for every parameter
 * value: keyless storage, HTTPS and TLS 1.2, Entra-only telemetry, the module scopes and the
 * conditions that the deployment snapshots cannot evaluate (registry SKU, role mode auto).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asTemplate,
  moduleTemplate,
  resourcesOfType,
  type ArmResource,
  type Json,
  type Template,
} from './arm.js';
import { diagnosticLines, findBicep, runBicep } from './bicep-cli.js';

const bicep = findBicep();

function only(template: Template, type: string): ArmResource {
  const found = resourcesOfType(template, type);
  expect(found, type).toHaveLength(1);
  return found[0] as ArmResource;
}

describe.skipIf(!bicep.bin)(`compiled infra/main.bicep (${bicep.reason ?? 'Bicep'})`, () => {
  let main: Template;
  let text: string;

  beforeAll(async () => {
    const run = await runBicep(bicep.bin as string, ['build', 'infra/main.bicep', '--stdout']);
    expect(diagnosticLines(run.stderr)).toEqual([]);
    expect(run.code, run.stderr).toBe(0);
    text = run.stdout;
    main = asTemplate(JSON.parse(text) as Json);
  }, 60_000);

  it('never reads a storage key or builds a SAS', () => {
    expect(text).not.toMatch(/listKeys|listAccountSas|listServiceSas|AccountKey=/);
    expect(text).not.toMatch(/DefaultEndpointsProtocol|SharedAccessSignature/);
  });

  it('keeps shared keys and public blobs off, and TLS 1.2 over HTTPS only', () => {
    const account = only(moduleTemplate(main, 'storage'), 'Microsoft.Storage/storageAccounts');
    expect(account.properties).toMatchObject({
      allowSharedKeyAccess: false,
      defaultToOAuthAuthentication: true,
      allowBlobPublicAccess: false,
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: true,
    });
  });

  it('runs the app on Flex Consumption, Node 22, HTTPS only with TLS 1.2', () => {
    const app = moduleTemplate(main, 'functionApp');
    expect(only(app, 'Microsoft.Web/serverfarms').raw.sku).toEqual({
      name: 'FC1',
      tier: 'FlexConsumption',
    });
    const site = only(app, 'Microsoft.Web/sites');
    expect(site.properties.httpsOnly).toBe(true);
    expect(site.properties.siteConfig).toMatchObject({
      minTlsVersion: '1.2',
      scmMinTlsVersion: '1.2',
      ftpsState: 'Disabled',
    });
    const config = site.properties.functionAppConfig as Json;
    expect(config.runtime).toEqual({ name: 'node', version: '22' });
    expect((config.deployment as { storage: Json }).storage.authentication).toMatchObject({
      type: 'UserAssignedIdentity',
    });
    expect(site.raw.identity).toMatchObject({ type: 'UserAssigned' });
  });

  it('turns basic-auth publishing off', () => {
    const type = 'Microsoft.Web/sites/basicPublishingCredentialsPolicies';
    const policies = resourcesOfType(moduleTemplate(main, 'functionApp'), type);
    expect(policies.map((p) => p.properties)).toEqual([{ allow: false }, { allow: false }]);
  });

  it('accepts telemetry from Entra only', () => {
    const monitoring = moduleTemplate(main, 'monitoring');
    expect(only(monitoring, 'Microsoft.Insights/components').properties.DisableLocalAuth).toBe(
      true,
    );
    const workspace = only(monitoring, 'Microsoft.OperationalInsights/workspaces');
    expect(workspace.properties.features).toEqual({ disableLocalAuth: true });
  });

  it('puts registry roles, the system topic and the subscription in the registry group', () => {
    const inRegistryGroup = main.resources
      .filter((r) => r.resourceGroup === "[parameters('registryResourceGroup')]")
      .map((r) => r.symbol)
      .sort();
    expect(inRegistryGroup).toEqual([
      'eventSubscription',
      'eventTopic',
      'registry',
      'registryAccess',
    ]);
  });

  it('adds the event subscription only on the second pass', () => {
    const module = main.resources.find((r) => r.symbol === 'eventSubscription');
    expect(module?.condition).toBe("[parameters('deployEventSubscription')]");
  });

  it('reads the role assignment mode from the registry when set to auto', () => {
    const module = main.resources.find((r) => r.symbol === 'registryAccess');
    const params = module?.properties.parameters as Record<string, Json>;
    expect(JSON.stringify(params.roleAssignmentMode)).toMatch(
      /equals\(parameters\('registryRoleMode'\), 'auto'\).*tryGet\(reference\('registry'\), 'roleAssignmentMode'\)/,
    );
  });

  it('makes a registry private endpoint only for Premium registries', () => {
    const module = main.resources.find((r) => r.symbol === 'network');
    expect(module?.condition).toBe("[parameters('privateNetworking')]");
    const network = moduleTemplate(main, 'network');
    const endpoint = network.resources.find((r) => r.raw.name === 'pe-registry');
    expect(endpoint?.condition).toBe("[variables('registryPrivateLink')]");
    expect((network.raw.variables as Json).registryPrivateLink).toBe(
      "[equals(parameters('registrySku'), 'Premium')]",
    );
    expect(module?.properties.parameters).toMatchObject({
      registrySku: { value: "[reference('registry', '2025-11-01', 'full').sku.name]" },
    });
  });
});
