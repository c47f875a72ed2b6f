// The app identity's rights on the watched registry, derived from the remediation mode and
// the registry's role assignment mode. Deployed to the registry's resource group.
//   legacy mode: record -> AcrPull; quarantine -> AcrPull + custom role; retag -> AcrPush
//     (+ custom role when RETAG_FALLBACK=quarantine). AcrPush cannot set manifest
//     attributes, and Contributor would be far too broad, hence the one-action custom role.
//   ABAC mode (AcrPull/AcrPush are ignored there): record -> Repository Reader; quarantine
//     or retag -> Repository Writer; both with Repository Catalog Lister for reconcile.
// Never AcrDelete: the app deletes nothing.
import {
  isAbacMode
  manifestMetadataWrite
  needsCustomLockRole
  registryRoleIds
} from 'roles.bicep'

param registryName string

@description('Resource id of the app identity: seeds role assignment names.')
param identityId string

@description('Principal id of the app identity.')
param principalId string

@description('The registry\'s roleAssignmentMode; empty on registries that predate the property.')
param roleAssignmentMode string

@allowed(['record', 'quarantine', 'retag'])
param remediation string

@allowed(['record', 'quarantine'])
param retagFallback string

var abac = isAbacMode(roleAssignmentMode)
var builtInRoleIds = registryRoleIds(abac, remediation, retagFallback)
var customLockRole = needsCustomLockRole(abac, remediation, retagFallback)

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: registryName
}

resource builtIn 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in builtInRoleIds: {
    name: guid(registry.id, identityId, roleId)
    scope: registry
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Custom roles cannot be scoped to a single resource, so the role is assignable in the
// registry's resource group and assigned on the registry alone. Its id comes from the
// registry id, so several deployments against one registry share one definition.
resource lockRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (customLockRole) {
  name: guid(registry.id, 'manifest-attribute-writer')
  properties: {
    roleName: 'ACR manifest attribute writer (${registryName})'
    description: 'Set manifest and tag attributes (readEnabled) in ${registryName}: quarantine.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [manifestMetadataWrite]
        notDataActions: []
      }
    ]
    assignableScopes: [resourceGroup().id]
  }
}

resource lock 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (customLockRole) {
  name: guid(registry.id, identityId, 'manifest-attribute-writer')
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      lockRole.name
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output abacMode bool = abac
output builtInRoleIds string[] = builtInRoleIds
output customLockRole bool = customLockRole
