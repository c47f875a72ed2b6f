// acr-mediatype-guard next to an existing Azure Container Registry.
//
// Deploy into a resource group of its own (never the registry's: `azd down` deletes the
// whole group). Two passes, because Event Grid refuses a subscription to a function whose
// code is not deployed yet:
//   1. deployEventSubscription=false: everything but the event subscription;
//   2. deploy the code, then deployEventSubscription=true: adds the subscription.
// `azd up` runs both (azure.yaml postdeploy hook); docs/deploy.md gives the az commands.
targetScope = 'resourceGroup'

import { appSettings } from 'app/settings.bicep'

@minLength(1)
@maxLength(64)
@description('Environment name: part of every resource name, and the azd-env-name tag.')
param environmentName string

@description('Region of the app\'s resources; the system topic follows the registry instead.')
param location string = resourceGroup().location

@minLength(5)
@maxLength(50)
@description('Name of the existing registry to watch (myreg, not myreg.azurecr.io).')
param registryName string

@minLength(1)
@description('Resource group of the registry; role assignments and the system topic go there.')
param registryResourceGroup string

@allowed(['auto', 'legacy', 'abac'])
@description('Registry role assignment mode; auto reads it from the registry (recommended).')
param registryRoleMode string = 'auto'

@allowed(['record', 'quarantine', 'retag'])
@description('What to do with noncompliant tagged pushes; also decides the registry roles.')
param remediation string = 'record'

@description('Record what remediation would do without doing it. Start with true.')
param remediationDryRun bool = true

@allowed(['record', 'quarantine'])
@description('What retag falls back to when an image cannot be converted.')
param retagFallback string = 'record'

@description('Suffix of the tag that keeps the original on retag; empty keeps digests only.')
param retagBackupSuffix string = '-oci'

@description('Convert signed images too (their signatures stop matching).')
param retagSigned bool = false

@allowed(['strict', 'top-level'])
param policy string = 'strict'

@description('Comma-separated repository globs recorded as exempt.')
param exemptRepositories string = ''

@description('Six-field NCRONTAB for the reconcile timer.')
param reconcileSchedule string = '0 0 3 * * *'

@minLength(3)
@maxLength(63)
param complianceTableName string = 'imagecompliance'

@description('VNet integration and private endpoints for storage (and a Premium registry).')
param privateNetworking bool = false

@description('Address space of the VNet made when privateNetworking is true (a /24 or larger).')
param vnetAddressPrefix string = '10.60.0.0/24'

@description('Second pass only: the onRegistryEvent code must be deployed first.')
param deployEventSubscription bool = false

@description('Name of the registry\'s system topic; give an existing one\'s name to adopt it.')
param systemTopicName string = ''

@allowed(['Standard_LRS', 'Standard_ZRS'])
param storageSkuName string = 'Standard_LRS'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Scale-out ceiling; each instance adds registry reads against ACR\'s rate limits.')
param maximumInstanceCount int = 100

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'azd-env-name': environmentName }
var serviceName = 'guard'
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var deploymentContainerName = 'app-package-${resourceToken}'
var deadLetterContainerName = 'deadletter'
var eventHandlerName = 'onRegistryEvent'
var topicName = empty(systemTopicName)
  ? '${abbrs.eventGridSystemTopics}${registryName}'
  : systemTopicName
var topicId = resourceId(
  registryResourceGroup,
  'Microsoft.EventGrid/systemTopics',
  topicName
)

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
  scope: resourceGroup(registryResourceGroup)
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
  location: location
  tags: tags
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    appInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: storageAccountName
    skuName: storageSkuName
    deploymentContainerName: deploymentContainerName
    deadLetterContainerName: deadLetterContainerName
    tableName: complianceTableName
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
    privateNetworking: privateNetworking
  }
}

module network 'app/network.bicep' = if (privateNetworking) {
  name: 'network'
  params: {
    location: location
    tags: tags
    vnetName: '${abbrs.networkVirtualNetworks}${resourceToken}'
    addressPrefix: vnetAddressPrefix
    appSubnetName: '${abbrs.networkVirtualNetworksSubnets}app'
    endpointSubnetName: '${abbrs.networkVirtualNetworksSubnets}endpoints'
    endpointPrefix: abbrs.networkPrivateEndpoints
    storageAccountId: storage.outputs.id
    storageAccountName: storageAccountName
    registryId: registry.id
    registryName: registry.name
    // Known only at deployment time: what-if cannot tell whether the endpoint will exist.
    #disable-next-line what-if-short-circuiting
    registrySku: registry.sku.name
  }
}

// Roles before the app starts: the host needs blob access and telemetry at its first start.
module functionApp 'app/function-app.bicep' = {
  name: 'function-app'
  params: {
    location: location
    tags: tags
    planName: '${abbrs.webServerFarms}${resourceToken}'
    appName: functionAppName
    serviceName: serviceName
    identityId: identity.id
    deploymentContainerUrl: '${storage.outputs.blobEndpoint}${deploymentContainerName}'
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    privateNetworking: privateNetworking
    subnetId: privateNetworking ? network!.outputs.appSubnetId : ''
    appSettings: appSettings({
      registryLoginServer: registry.properties.loginServer
      tableUrl: storage.outputs.tableUrl
      tableName: storage.outputs.tableName
      storageAccountName: storage.outputs.name
      identityClientId: identity.properties.clientId
      appInsightsConnectionString: monitoring.outputs.connectionString
      policy: policy
      exemptRepositories: exemptRepositories
      remediation: remediation
      remediationDryRun: remediationDryRun
      retagFallback: retagFallback
      retagBackupSuffix: retagBackupSuffix
      retagSigned: retagSigned
      reconcileSchedule: reconcileSchedule
    })
  }
}

module registryAccess 'app/registry-access.bicep' = {
  name: 'registry-access'
  scope: resourceGroup(registryResourceGroup)
  params: {
    registryName: registry.name
    identityId: identity.id
    principalId: identity.properties.principalId
    // auto reads the registry itself, so the roles follow a switch to ABAC mode on the next
    // deployment (older registries do not return the property: legacy mode). An explicit
    // mode lets what-if predict the role assignments.
    #disable-next-line what-if-short-circuiting
    roleAssignmentMode: registryRoleMode == 'auto'
      ? registry.properties.?roleAssignmentMode ?? ''
      : (registryRoleMode == 'abac' ? 'AbacRepositoryPermissions' : 'LegacyRegistryPermissions')
    remediation: remediation
    retagFallback: retagFallback
  }
}

module eventTopic 'app/event-topic.bicep' = {
  name: 'event-topic'
  scope: resourceGroup(registryResourceGroup)
  params: {
    name: topicName
    tags: tags
    location: registry.location
    registryName: registry.name
  }
}

module deadLetterAccess 'app/deadletter-access.bicep' = {
  name: 'deadletter-access'
  params: {
    storageAccountName: storageAccountName
    containerName: deadLetterContainerName
    topicId: topicId
    topicPrincipalId: eventTopic.outputs.principalId
  }
  dependsOn: [storage]
}

module eventSubscription 'app/event-subscription.bicep' = if (deployEventSubscription) {
  name: 'event-subscription'
  scope: resourceGroup(registryResourceGroup)
  params: {
    topicName: topicName
    name: '${abbrs.eventGridEventSubscriptions}${functionAppName}'
    appResourceGroup: resourceGroup().name
    functionAppName: functionAppName
    functionName: eventHandlerName
    deadLetterAccountId: storage.outputs.id
    deadLetterContainerName: deadLetterContainerName
  }
  // The app must run with its registry roles, and the topic's identity must hold the
  // dead-letter role, before the first event arrives.
  dependsOn: [eventTopic, functionApp, deadLetterAccess, registryAccess]
}

// Outputs in UPPER_SNAKE land in the azd environment (`azd env get-values`).
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_HOSTNAME string = functionApp.outputs.defaultHostName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.properties.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output COMPLIANCE_TABLE_URL string = storage.outputs.tableUrl
output COMPLIANCE_TABLE string = storage.outputs.tableName
output DEAD_LETTER_CONTAINER string = storage.outputs.deadLetterContainerName
output REGISTRY_LOGIN_SERVER string = registry.properties.loginServer
output REGISTRY_ABAC_MODE bool = registryAccess.outputs.abacMode
output REGISTRY_ROLE_IDS string[] = registryAccess.outputs.builtInRoleIds
output REGISTRY_CUSTOM_LOCK_ROLE bool = registryAccess.outputs.customLockRole
output REGISTRY_PRIVATE_ENDPOINT bool = privateNetworking
  ? network!.outputs.registryPrivateEndpoint
  : false
output EVENT_GRID_SYSTEM_TOPIC string = eventTopic.outputs.name
output EVENT_SUBSCRIPTION_DEPLOYED bool = deployEventSubscription
