// The Flex Consumption function app on Node 22, running as the user-assigned identity.

param location string
param tags object
param planName string
param appName string

@description('Tag azd uses to find the app for `azd deploy`; equals the service in azure.yaml.')
param serviceName string

param identityId string

@description('Blob container URL for Flex deployment packages, read with the identity.')
param deploymentContainerUrl string

@description('App settings, from settings.bicep.')
param appSettings object

@allowed([512, 2048, 4096])
param instanceMemoryMB int

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Whether the app runs with VNet integration and Event Grid-only inbound.')
param privateNetworking bool

@description('Subnet for outbound VNet integration; empty without private networking.')
param subnetId string

// With private networking, inbound is limited to Event Grid: it cannot deliver into a
// private endpoint, so the public endpoint stays, behind the AzureEventGrid service tag.
// The scm site keeps its own (open) rules so that `azd deploy` still reaches it.
var eventGridOnly = [
  {
    name: 'event-grid'
    description: 'Event Grid deliveries to onRegistryEvent'
    action: 'Allow'
    tag: 'ServiceTag'
    ipAddress: 'AzureEventGrid'
    priority: 100
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: privateNetworking ? subnetId : null
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      ipSecurityRestrictionsDefaultAction: privateNetworking ? 'Deny' : 'Allow'
      ipSecurityRestrictions: privateNetworking ? eventGridOnly : []
      scmIpSecurityRestrictionsUseMain: false
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      runtime: {
        name: 'node'
        version: '22'
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

// No basic-auth publishing: azd and az deploy with Entra tokens.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
