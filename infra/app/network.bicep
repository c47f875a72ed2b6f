// Private networking (deployed only when privateNetworking is true): a VNet with a subnet for
// the app's outbound VNet integration and one for private endpoints, private endpoints for
// storage (blob, table, queue) and, on Premium registries only, for the registry, each with
// its private DNS zone linked to the VNet.
//
// Inbound stays public on purpose: Event Grid cannot deliver into a private endpoint, so the
// function app keeps its public endpoint and admits only the AzureEventGrid service tag
// (see function-app.bicep).

param location string
param tags object
param vnetName string
param addressPrefix string
param appSubnetName string
param endpointSubnetName string
param endpointPrefix string

@description('Storage account that gets blob, table and queue private endpoints.')
param storageAccountId string
param storageAccountName string

@description('Id of the watched registry.')
param registryId string
param registryName string

@description('SKU of the watched registry: private endpoints exist on Premium only.')
param registrySku string

// The host may use queues as well as blobs, so all three data services get an endpoint.
var storageServices = ['blob', 'table', 'queue']

// ACR supports private endpoints on the Premium tier only; on Basic or Standard the app
// reaches the registry over its public endpoint.
var registryPrivateLink = registrySku == 'Premium'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: vnetName
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 26, 0)
          // Flex Consumption integrates through Container Apps environments.
          delegations: [
            {
              name: 'flex'
              properties: { serviceName: 'Microsoft.App/environments' }
            }
          ]
        }
      }
      {
        name: endpointSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 26, 1)
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

module storageEndpoints 'private-endpoint.bicep' = [
  for service in storageServices: {
    name: 'pe-storage-${service}'
    params: {
      location: location
      tags: tags
      name: '${endpointPrefix}${storageAccountName}-${service}'
      vnetId: vnet.id
      vnetName: vnet.name
      subnetId: vnet.properties.subnets[1].id
      targetId: storageAccountId
      groupId: service
      zoneName: 'privatelink.${service}.${environment().suffixes.storage}'
    }
  }
]

// One endpoint covers the login server and the regional data endpoint. The deployer needs
// approval rights on the registry, otherwise the connection waits for the owner to approve.
module registryEndpoint 'private-endpoint.bicep' = if (registryPrivateLink) {
  name: 'pe-registry'
  params: {
    location: location
    tags: tags
    name: '${endpointPrefix}${registryName}-registry'
    vnetId: vnet.id
    vnetName: vnet.name
    subnetId: vnet.properties.subnets[1].id
    targetId: registryId
    groupId: 'registry'
    zoneName: 'privatelink${environment().suffixes.acrLoginServer}'
  }
}

output appSubnetId string = vnet.properties.subnets[0].id
output registryPrivateEndpoint bool = registryPrivateLink
