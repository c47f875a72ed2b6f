// The subscription that delivers the registry's image events to onRegistryEvent. Deployed
// only once the function code exists: ARM refuses an AzureFunction destination whose function
// it cannot find ("Destination endpoint not found"), hence deployEventSubscription.

param topicName string
param name string

@description('Resource group of the function app (the app\'s group, not the registry\'s).')
param appResourceGroup string

param functionAppName string

@description('Function that handles the events (src/functions/onRegistryEvent.ts).')
param functionName string

param deadLetterAccountId string
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

resource handler 'Microsoft.Web/sites/functions@2024-11-01' existing = {
  name: '${functionAppName}/${functionName}'
  scope: resourceGroup(appResourceGroup)
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: name
  properties: {
    // AzureFunction (not WebHook): no validation handshake against a cold Flex instance,
    // and no function key in the template.
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: handler.id
        // The Functions extension answers 500 for a whole batch if one event fails, so
        // Event Grid would redeliver the others too: one event per delivery.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.ContainerRegistry.ImagePushed'
        'Microsoft.ContainerRegistry.ImageDeleted'
      ]
    }
    // The app throws only for transient failures; a day of retries covers a regional
    // outage, after which the event is dead-lettered for `mediatype-guard scan`.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: { type: 'SystemAssigned' }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = subscription.name
