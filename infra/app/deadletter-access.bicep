// Lets the system topic's identity write dead letters into the one container meant for
// them, and nothing else in the account. Deployed to the app's resource group.
import { roleIds } from 'roles.bicep'

param storageAccountName string
param containerName string

@description('Resource id of the system topic: seeds the role assignment name.')
param topicId string

@description('Principal id of the system topic\'s system-assigned identity.')
param topicPrincipalId string

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource target 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobs
  name: containerName
}

resource writer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(target.id, topicId, roleIds.storageBlobDataContributor)
  scope: target
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.storageBlobDataContributor
    )
    principalId: topicPrincipalId
    principalType: 'ServicePrincipal'
  }
}
