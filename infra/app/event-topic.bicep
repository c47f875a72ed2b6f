// The Event Grid system topic for the registry's events. Deployed to the registry's resource
// group and region: a system topic must live where its source does, and a source has at
// most one system topic (an existing one is adopted by giving its name as systemTopicName).

param name string
param tags object

@description('Region of the registry, not of the app.')
param location string

param registryName string

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  // Dead letters are written with this identity, so no storage key or SAS is configured.
  identity: { type: 'SystemAssigned' }
  properties: {
    source: registry.id
    topicType: 'Microsoft.ContainerRegistry.Registries'
  }
}

output name string = topic.name
output principalId string = topic.identity.principalId
