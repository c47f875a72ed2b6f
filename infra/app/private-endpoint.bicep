// One private endpoint with its private DNS zone, the zone's link to the VNet and the zone
// group that keeps the endpoint's A records in the zone.

param location string
param tags object
param name string
param vnetId string
param vnetName string
param subnetId string

@description('Resource the endpoint connects to.')
param targetId string

@description('Private link sub-resource: blob, table, queue or registry.')
param groupId string

@description('Private DNS zone for the sub-resource, e.g. privatelink.blob.core.windows.net.')
param zoneName string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: zoneName
  location: 'global'
  tags: tags
}

resource zoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: vnetName
  location: 'global'
  tags: tags
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnetId }
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    subnet: { id: subnetId }
    privateLinkServiceConnections: [
      {
        name: name
        properties: {
          privateLinkServiceId: targetId
          groupIds: [groupId]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: groupId
        properties: { privateDnsZoneId: zone.id }
      }
    ]
  }
}

output id string = endpoint.id
