// Role ids and the registry roles each remediation mode needs: pure values and functions
// (no resources), imported by the modules that assign them.
// Ids are Azure built-in role ids: the same in every tenant and cloud.

@export()
@description('Built-in role definition ids, each with the reason this app uses it.')
var roleIds = {
  // Legacy registry mode: read manifests, tags and the catalog (record, and every scan).
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
  // Legacy registry mode: push converted manifests and move tags (retag). Includes pull.
  acrPush: '8311e382-0749-4cb8-b61a-304f252e45ec'
  // ABAC mode: read manifests, tags and manifest attributes (every mode).
  repositoryReader: 'b93aa761-3e63-49ed-ac28-beffa264f7ac'
  // ABAC mode: push converted manifests, move tags, set readEnabled (retag, quarantine).
  repositoryWriter: '2a1e307c-b015-4ebd-883e-5b7698a07328'
  // ABAC mode: list repositories for the nightly reconcile; Reader does not include it.
  repositoryCatalogLister: 'bfdb9389-c9a5-478a-bb2f-ba9ca092c3c7'
  // Host storage (leases, timers) and the Flex deployment container: the host creates its
  // own containers, so Contributor on one container is not enough.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // The system topic writes undeliverable events to the dead-letter container.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  // The compliance table; the app creates it at start if missing.
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Application Insights with local auth disabled accepts telemetry only from Entra.
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

@export()
@description('The one data action quarantine needs in legacy mode: set manifest attributes.')
var manifestMetadataWrite = 'Microsoft.ContainerRegistry/registries/repositories/metadata/write'

@export()
@description('Whether the app changes manifest attributes (quarantine, or as retag fallback).')
func needsLocking(remediation string, retagFallback string) bool =>
  remediation == 'quarantine' || (remediation == 'retag' && retagFallback == 'quarantine')

@export()
@description('Whether a registry roleAssignmentMode means ABAC repository permissions.')
func isAbacMode(roleAssignmentMode string) bool =>
  roleAssignmentMode == 'AbacRepositoryPermissions'

@export()
@description('Built-in registry role ids for a mode; legacy locking adds a custom role on top.')
func registryRoleIds(abac bool, remediation string, retagFallback string) string[] =>
  abac ? abacRoleIds(remediation, retagFallback) : legacyRoleIds(remediation)

// Legacy mode: AcrPull/AcrPush carry pull, list and catalog. AcrPush cannot change
// attributes, so locking takes the custom role (see manifestMetadataWrite), never Contributor.
func legacyRoleIds(remediation string) string[] =>
  remediation == 'retag' ? [roleIds.acrPush] : [roleIds.acrPull]

// ABAC mode ignores AcrPull/AcrPush: Writer is the narrowest built-in role that can push or
// set manifest attributes; Reader suffices for record.
func abacRoleIds(remediation string, retagFallback string) string[] =>
  remediation == 'retag' || needsLocking(remediation, retagFallback)
    ? [roleIds.repositoryWriter, roleIds.repositoryCatalogLister]
    : [roleIds.repositoryReader, roleIds.repositoryCatalogLister]

@export()
@description('Whether the custom manifest-attribute role is needed (legacy mode only).')
func needsCustomLockRole(abac bool, remediation string, retagFallback string) bool =>
  !abac && needsLocking(remediation, retagFallback)
