// One storage account for the host (leases, timers), the Flex deployment package, the
// compliance table and Event Grid's dead letters. Shared keys are off: every client,
// the Functions host included, authenticates with Entra.
import { roleIds } from 'roles.bicep'

param location string
param tags object
param name string

@allowed(['Standard_LRS', 'Standard_ZRS'])
param skuName string

param deploymentContainerName string
param deadLetterContainerName string
param tableName string

@description('Resource id of the app identity: seeds role assignment names.')
param identityId string

@description('Principal id of the app identity.')
param identityPrincipalId string

@description('With private networking, public access is denied except for trusted services.')
param privateNetworking bool

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: skuName }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    // 'Disabled' would also shut out trusted services, and Event Grid writes dead letters
    // as one (its system topic identity), so private mode denies by network rule instead.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = {
  parent: blobs
  name: deadLetterContainerName
  properties: { publicAccess: 'None' }
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource table 'Microsoft.Storage/storageAccounts/tableServices/tables@2025-01-01' = {
  parent: tables
  name: tableName
}

// Account scope: the host creates azure-webjobs-* containers itself.
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, identityId, roleIds.storageBlobDataOwner)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.storageBlobDataOwner
    )
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Account scope, not table scope: the app creates the table at start if it is missing, and
// "create table" (POST /Tables) is authorized on the account. The account holds no other
// table data (the host uses blobs only), so this grants nothing beyond the compliance table.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, identityId, roleIds.storageTableDataContributor)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.storageTableDataContributor
    )
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
// Without the trailing slash the endpoint carries, so the SDK builds clean table paths.
output tableUrl string = 'https://${account.name}.table.${environment().suffixes.storage}'
output deploymentContainerName string = packages.name
output deadLetterContainerName string = deadLetters.name
output tableName string = table.name
