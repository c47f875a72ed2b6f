# azd predown hook (PowerShell twin of predown.sh): `azd down` deletes the whole resource
# group it deployed to. Refuse when that group also holds the registry, and list what lives
# in the registry's group and stays.
$ErrorActionPreference = 'Stop'

$appGroup = $env:AZURE_RESOURCE_GROUP
$registryGroup = $env:REGISTRY_RESOURCE_GROUP

if ($appGroup -and $appGroup -eq $registryGroup) {
  Write-Error ("predown: refusing: resource group $appGroup also holds registry " +
    "$env:REGISTRY_NAME, and azd down would delete it. Delete the app's resources by hand " +
    '(docs/deploy.md, Removing everything).')
  exit 1
}

Write-Output ("predown: $appGroup will be deleted. " +
  "These stay in $registryGroup (see docs/deploy.md):")
Write-Output "  - Event Grid system topic $env:EVENT_GRID_SYSTEM_TOPIC and its subscription"
Write-Output ("  - role assignments on $env:REGISTRY_NAME for identity " +
  "$env:AZURE_MANAGED_IDENTITY_PRINCIPAL_ID")
Write-Output "  - custom role 'ACR manifest attribute writer ($env:REGISTRY_NAME)', if created"
