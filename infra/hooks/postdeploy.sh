#!/bin/sh
# azd postdeploy hook: the second pass of `azd up`.
#
# Event Grid accepts an AzureFunction subscription only once the function exists, which is
# after `azd deploy`. So the first provision runs with DEPLOY_EVENT_SUBSCRIPTION=false, and
# this hook turns it on and provisions again, adding only the subscription. From then on the
# subscription is part of every provision and this hook does nothing.
set -eu

if [ "${DEPLOY_EVENT_SUBSCRIPTION:-false}" = "true" ]; then
  echo "postdeploy: the event subscription is already part of every provision"
  exit 0
fi

azd env set DEPLOY_EVENT_SUBSCRIPTION true
# azd reads .env, but fall back to this process's value being right as well.
export DEPLOY_EVENT_SUBSCRIPTION=true

# Seconds between attempts; tests set it to 0.
pause="${POSTDEPLOY_RETRY_SECONDS:-60}"
attempt=1
until azd provision --no-prompt; do
  if [ "$attempt" -ge 3 ]; then
    # Back to false, or the next `azd up` would fail before its deploy step.
    azd env set DEPLOY_EVENT_SUBSCRIPTION false
    echo "postdeploy: adding the event subscription failed $attempt times;" \
      "fix the cause above, then run: azd hooks run postdeploy" >&2
    exit 1
  fi
  # The host registers a newly deployed function with ARM shortly after the deployment
  # returns; until then Event Grid answers "Destination endpoint not found".
  echo "postdeploy: retrying in $pause s (attempt $attempt of 3 failed)" >&2
  sleep "$pause"
  attempt=$((attempt + 1))
done
