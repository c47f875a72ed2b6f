// Log Analytics and workspace-based Application Insights, both with local (key) auth off:
// the app sends telemetry with its managed identity only.
import { roleIds } from 'roles.bicep'

param location string
param tags object
param logAnalyticsName string
param appInsightsName string

@description('Resource id of the app identity: seeds role assignment names.')
param identityId string

@description('Principal id of the app identity, granted Monitoring Metrics Publisher.')
param identityPrincipalId string

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    features: { disableLocalAuth: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    // Entra-only ingestion: the instrumentation key alone can no longer send telemetry.
    DisableLocalAuth: true
  }
}

// Needed because local auth is off: the identity publishes with an Entra token.
resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      roleIds.monitoringMetricsPublisher
    )
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output name string = appInsights.name
output connectionString string = appInsights.properties.ConnectionString
