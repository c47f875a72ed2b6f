#!/bin/sh
# azd predown hook: `azd down` deletes the whole resource group it deployed to. Refuse when
# that group also holds the registry, and list what lives in the registry's group and stays.
set -eu

app_group="${AZURE_RESOURCE_GROUP:-}"
registry_group="${REGISTRY_RESOURCE_GROUP:-}"

if [ -n "$app_group" ] && [ "$app_group" = "$registry_group" ]; then
  echo "predown: refusing: resource group $app_group also holds registry" \
    "${REGISTRY_NAME:-?}, and azd down would delete it. Delete the app's resources by hand" \
    "(docs/deploy.md, Removing everything)." >&2
  exit 1
fi

echo "predown: $app_group will be deleted. These stay in $registry_group (see docs/deploy.md):"
echo "  - Event Grid system topic ${EVENT_GRID_SYSTEM_TOPIC:-?} and its subscription"
echo "  - role assignments on ${REGISTRY_NAME:-?} for identity" \
  "${AZURE_MANAGED_IDENTITY_PRINCIPAL_ID:-?}"
echo "  - custom role 'ACR manifest attribute writer (${REGISTRY_NAME:-?})', if created"
