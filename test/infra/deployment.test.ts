/**
 * What infra/main.bicep would deploy, per remediation mode and registry role mode, predicted
 * by the real Bicep CLI (`bicep snapshot`), which expands the modules and evaluates every
 * value known before deployment: role ids and scopes, conditions, settings, the event
 * subscription. Runtime values (principal ids, endpoints) stay expressions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, settingNames } from '../../src/config.js';
import {
  fakeScope,
  ofType,
  removeDir,
  scratchDir,
  snapshot,
  type Json,
  type ParamValues,
  type Predicted,
  type Snapshot,
} from './arm.js';
import { findBicep } from './bicep-cli.js';

const bicep = findBicep();

const role = {
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  acrDelete: 'c2f4ef07-c644-48eb-af81-4b1b4947fb11',
  repositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac',
  repositoryWriter: '2a1e307c-b015-4ebd-883e-5b7698a07328',
  repositoryCatalogLister: 'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  // Broad roles that must never appear.
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  userAccessAdministrator: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
} as const;

const registryName = 'contosoacr';
const registryGroup = 'rg-acr';
const customRole = 'custom:manifest-attribute-writer';

interface Case {
  readonly name: string;
  readonly params: ParamValues;
  /** Roles on the registry: built-in ids, plus customRole for the one-action custom role. */
  readonly registryRoles: readonly string[];
}

// legacy-record is also the first pass: no event subscription, no private networking.
const cases: readonly Case[] = [
  {
    name: 'legacy-record',
    params: { registryRoleMode: 'legacy', remediation: 'record' },
    registryRoles: [role.acrPull],
  },
  {
    name: 'legacy-quarantine',
    // Also the second pass: the one with the event subscription.
    params: {
      registryRoleMode: 'legacy',
      remediation: 'quarantine',
      deployEventSubscription: true,
    },
    registryRoles: [role.acrPull, customRole],
  },
  {
    name: 'legacy-retag',
    params: { registryRoleMode: 'legacy', remediation: 'retag' },
    registryRoles: [role.acrPush],
  },
  {
    name: 'legacy-retag-fallback-quarantine',
    params: { registryRoleMode: 'legacy', remediation: 'retag', retagFallback: 'quarantine' },
    registryRoles: [role.acrPush, customRole],
  },
  {
    name: 'abac-record',
    params: { registryRoleMode: 'abac', remediation: 'record' },
    registryRoles: [role.repositoryReader, role.repositoryCatalogLister],
  },
  {
    name: 'abac-quarantine',
    params: { registryRoleMode: 'abac', remediation: 'quarantine' },
    registryRoles: [role.repositoryWriter, role.repositoryCatalogLister],
  },
  {
    name: 'abac-retag',
    params: { registryRoleMode: 'abac', remediation: 'retag', privateNetworking: true },
    registryRoles: [role.repositoryWriter, role.repositoryCatalogLister],
  },
];

const common: ParamValues = {
  environmentName: 'test',
  registryName,
  registryResourceGroup: registryGroup,
};

const roleDefinitionId = (p: Predicted) => String(p.properties.roleDefinitionId);
const roleId = (p: Predicted) => roleDefinitionId(p).split('/').pop() ?? '';
const onRegistry = (p: Predicted) =>
  p.id.toLowerCase().includes(`/registries/${registryName}/providers/`);

function registryRoles(snap: Snapshot): string[] {
  const custom = ofType(snap, 'Microsoft.Authorization/roleDefinitions').map((d) => d.name);
  return ofType(snap, 'Microsoft.Authorization/roleAssignments')
    .filter(onRegistry)
    .map((a) => (custom.includes(roleId(a)) ? customRole : roleId(a)))
    .sort();
}

/** "who on what: role id", from the assignment's scope and principal expression. */
function describeAssignment(a: Predicted): string {
  const scope = a.id.split('/providers/Microsoft.Authorization/')[0] ?? '';
  const target = scope.endsWith('/containers/deadletter')
    ? 'the dead-letter container'
    : /\/components\/appi-[^/]+$/.test(scope)
      ? 'Application Insights'
      : /\/storageAccounts\/st[^/]+$/.test(scope)
        ? 'the storage account'
        : scope;
  const principal = String(a.properties.principalId);
  const who = principal.includes('/userAssignedIdentities/')
    ? 'app identity'
    : principal.includes('/systemTopics/')
      ? 'topic identity'
      : principal;
  return `${who} on ${target}: ${roleId(a)}`;
}

function appSettings(snap: Snapshot): Record<string, string> {
  const [config] = ofType(snap, 'Microsoft.Web/sites/config');
  expect(config?.name.endsWith('/appsettings')).toBe(true);
  return config?.properties as Record<string, string>;
}

function single(snap: Snapshot, type: string): Predicted {
  const found = ofType(snap, type);
  expect(found, type).toHaveLength(1);
  return found[0] as Predicted;
}

describe.skipIf(!bicep.bin)(`deployment of infra/main.bicep (${bicep.reason ?? 'Bicep'})`, () => {
  const dir = scratchDir('infra-snapshots');
  const snaps = new Map<string, Snapshot>();
  const snap = (name: string): Snapshot => {
    const found = snaps.get(name);
    if (!found) throw new Error(`no snapshot named ${name}`);
    return found;
  };

  beforeAll(async () => {
    const bin = bicep.bin as string;
    const all = cases.map((c) => [c.name, { ...common, ...c.params }] as const);
    // Two at a time: each snapshot is one .NET process, and CI has two cores.
    for (let i = 0; i < all.length; i += 2) {
      const batch = all.slice(i, i + 2);
      const results = await Promise.all(batch.map(([n, p]) => snapshot(bin, dir, n, p)));
      results.forEach((result, j) => snaps.set(batch[j]?.[0] ?? '', result));
    }
  }, 180_000);

  afterAll(() => removeDir(dir));

  describe('registry roles follow the remediation mode and the registry role mode', () => {
    it.each(cases)('$name grants exactly its roles on the registry', (c) => {
      expect(registryRoles(snap(c.name))).toEqual([...c.registryRoles].sort());
    });

    it.each(cases)('$name grants no broad or delete role anywhere', (c) => {
      const granted = ofType(snap(c.name), 'Microsoft.Authorization/roleAssignments').map(roleId);
      for (const broad of [role.owner, role.contributor, role.userAccessAdministrator]) {
        expect(granted).not.toContain(broad);
      }
      expect(granted).not.toContain(role.acrDelete);
    });

    it('defines the legacy custom role with the one data action that sets attributes', () => {
      const definition = single(
        snap('legacy-quarantine'),
        'Microsoft.Authorization/roleDefinitions',
      );
      expect(definition.properties.permissions).toEqual([
        {
          actions: [],
          notActions: [],
          dataActions: ['Microsoft.ContainerRegistry/registries/repositories/metadata/write'],
          notDataActions: [],
        },
      ]);
      expect(definition.properties.assignableScopes).toEqual([
        `/subscriptions/${fakeScope.subscriptionId}/resourceGroups/${registryGroup}`,
      ]);
    });

    it('creates no custom role in ABAC mode, where the Repository roles apply', () => {
      const defs = ofType(snap('abac-quarantine'), 'Microsoft.Authorization/roleDefinitions');
      expect(defs).toEqual([]);
    });
  });

  it('grants the app storage and telemetry roles, and the topic only the dead-letter container', () => {
    const assignments = ofType(snap('legacy-record'), 'Microsoft.Authorization/roleAssignments');
    const granted = assignments
      .filter((a) => !onRegistry(a))
      .map(describeAssignment)
      .sort();
    expect(granted).toEqual(
      [
        `app identity on Application Insights: ${role.monitoringMetricsPublisher}`,
        `app identity on the storage account: ${role.storageBlobDataOwner}`,
        `app identity on the storage account: ${role.storageTableDataContributor}`,
        `topic identity on the dead-letter container: ${role.storageBlobDataContributor}`,
      ].sort(),
    );
  });

  describe('app settings', () => {
    // Written by the Functions platform side, not read by src/config.ts.
    const platformSettings = [
      'AzureWebJobsStorage__accountName',
      'AzureWebJobsStorage__credential',
      'AzureWebJobsStorage__clientId',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
    ];
    // Read by the app for local runs against Azurite only; never a deployed setting.
    const localOnly = ['COMPLIANCE_TABLE_CONNECTION_STRING'];

    it('are exactly the settings the app reads, plus the platform ones', () => {
      const written = Object.keys(appSettings(snap('legacy-record'))).sort();
      const appNames = settingNames.filter((n) => !localOnly.includes(n));
      expect(written).toEqual([...appNames, ...platformSettings].sort());
    });

    it('hold no storage key, SAS or storage connection string', () => {
      for (const [name, value] of Object.entries(appSettings(snap('legacy-quarantine')))) {
        expect(value, name).not.toMatch(/AccountKey|SharedAccessSignature|sig=|listKeys/i);
        expect(value, name).not.toMatch(/DefaultEndpointsProtocol|UseDevelopmentStorage/i);
      }
    });

    it('reach storage and telemetry with the user-assigned identity', () => {
      const settings = appSettings(snap('legacy-record'));
      expect(settings.AzureWebJobsStorage__credential).toBe('managedidentity');
      expect(settings.AzureWebJobsStorage__clientId).toMatch(/userAssignedIdentities.*clientId/);
      expect(settings.AZURE_CLIENT_ID).toBe(settings.AzureWebJobsStorage__clientId);
      expect(settings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toContain('Authorization=AAD');
    });

    it.each(cases)('$name passes its mode to the app, which accepts the settings', (c) => {
      const settings = appSettings(snap(c.name));
      // Values the CLI cannot know before deployment, filled in as Azure would.
      const env = {
        ...settings,
        ALLOWED_REGISTRIES: `${registryName}.azurecr.io`,
        COMPLIANCE_TABLE_URL: `https://${settings.AzureWebJobsStorage__accountName}.table.core.windows.net`,
        AZURE_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
      };
      const config = loadConfig(env, { table: true });
      expect(config.remediation).toBe(c.params.remediation);
      expect(config.retagFallback).toBe(c.params.retagFallback ?? 'record');
      expect(config.dryRun).toBe(true);
      expect(config.allowedRegistries).toEqual([`${registryName}.azurecr.io`]);
      expect(config.tableName).toBe('imagecompliance');
      expect(config.tableConnectionString).toBeUndefined();
    });
  });

  describe('event subscription', () => {
    it('is left out of the first pass, before the function code exists', () => {
      const subs = ofType(
        snap('legacy-record'),
        'Microsoft.EventGrid/systemTopics/eventSubscriptions',
      );
      expect(subs).toEqual([]);
      single(snap('legacy-record'), 'Microsoft.EventGrid/systemTopics');
    });

    it('delivers ImagePushed and ImageDeleted to onRegistryEvent one event at a time', () => {
      const type = 'Microsoft.EventGrid/systemTopics/eventSubscriptions';
      const sub = single(snap('legacy-quarantine'), type).properties;
      expect(sub.filter).toEqual({
        includedEventTypes: [
          'Microsoft.ContainerRegistry.ImagePushed',
          'Microsoft.ContainerRegistry.ImageDeleted',
        ],
      });
      const destination = sub.destination as { endpointType: string; properties: Json };
      expect(destination.endpointType).toBe('AzureFunction');
      expect(destination.properties.resourceId).toMatch(
        new RegExp(
          `/resourceGroups/${fakeScope.resourceGroup}/.*/sites/func-[a-z0-9]+/functions/onRegistryEvent$`,
        ),
      );
      expect(destination.properties.maxEventsPerBatch).toBe(1);
      expect(sub.retryPolicy).toEqual({ maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 });
    });

    it('dead-letters to the dead-letter container through the topic identity', () => {
      const type = 'Microsoft.EventGrid/systemTopics/eventSubscriptions';
      const sub = single(snap('legacy-quarantine'), type).properties;
      expect(sub.deadLetterWithResourceIdentity).toEqual({
        identity: { type: 'SystemAssigned' },
        deadLetterDestination: {
          endpointType: 'StorageBlob',
          properties: {
            resourceId: expect.stringMatching(/\/storageAccounts\/st[a-z0-9]+$/),
            blobContainerName: 'deadletter',
          },
        },
      });
      const topic = single(snap('legacy-quarantine'), 'Microsoft.EventGrid/systemTopics');
      expect(topic.raw.identity).toEqual({ type: 'SystemAssigned' });
    });

    it('puts the system topic in the registry resource group, on the registry', () => {
      const topic = single(snap('legacy-quarantine'), 'Microsoft.EventGrid/systemTopics');
      expect(topic.id).toContain(`/resourceGroups/${registryGroup}/`);
      expect(topic.properties.topicType).toBe('Microsoft.ContainerRegistry.Registries');
      expect(String(topic.properties.source)).toMatch(/\/registries\/contosoacr$/);
    });
  });

  describe('network', () => {
    it('creates no VNet or private endpoint without private networking', () => {
      const s = snap('legacy-record');
      expect(ofType(s, 'Microsoft.Network/virtualNetworks')).toEqual([]);
      expect(ofType(s, 'Microsoft.Network/privateEndpoints')).toEqual([]);
      const site = single(s, 'Microsoft.Web/sites');
      expect((site.properties.siteConfig as Json).ipSecurityRestrictionsDefaultAction).toBe(
        'Allow',
      );
    });

    it('creates storage private endpoints for blob, table and queue when enabled', () => {
      const endpoints = ofType(snap('abac-retag'), 'Microsoft.Network/privateEndpoints');
      const groups = endpoints.flatMap((e) =>
        (e.properties.privateLinkServiceConnections as Json[]).flatMap(
          (c) => (c.properties as { groupIds: string[] }).groupIds,
        ),
      );
      // The registry endpoint is conditional on Premium, which only Azure can tell.
      expect(groups.filter((g) => g !== 'registry').sort()).toEqual(['blob', 'queue', 'table']);
      expect(
        ofType(snap('abac-retag'), 'Microsoft.Network/privateDnsZones').length,
      ).toBeGreaterThanOrEqual(3);
    });

    it('integrates the app with the VNet and admits only Event Grid inbound', () => {
      const site = single(snap('abac-retag'), 'Microsoft.Web/sites');
      const config = site.properties.siteConfig as Json;
      expect(config.ipSecurityRestrictionsDefaultAction).toBe('Deny');
      expect(config.ipSecurityRestrictions).toEqual([
        expect.objectContaining({
          tag: 'ServiceTag',
          ipAddress: 'AzureEventGrid',
          action: 'Allow',
        }),
      ]);
      expect(site.properties.virtualNetworkSubnetId).toMatch(/virtualNetworks/);
      // Event Grid cannot deliver into a private endpoint: the app stays publicly addressable.
      expect(site.properties.publicNetworkAccess).toBe('Enabled');
    });

    it('denies public storage access except to trusted services when enabled', () => {
      const account = single(snap('abac-retag'), 'Microsoft.Storage/storageAccounts');
      expect(account.properties.networkAcls).toEqual({
        defaultAction: 'Deny',
        bypass: 'AzureServices',
      });
    });
  });
});
