# azd postdeploy hook: the second pass of `azd up` (PowerShell twin of postdeploy.sh).
#
# Event Grid accepts an AzureFunction subscription only once the function exists, which is
# after `azd deploy`. So the first provision runs with DEPLOY_EVENT_SUBSCRIPTION=false, and
# this hook turns it on and provisions again, adding only the subscription. From then on the
# subscription is part of every provision and this hook does nothing.
$ErrorActionPreference = 'Stop'

if ($env:DEPLOY_EVENT_SUBSCRIPTION -eq 'true') {
  Write-Output 'postdeploy: the event subscription is already part of every provision'
  exit 0
}

azd env set DEPLOY_EVENT_SUBSCRIPTION true
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
# azd reads .env, but fall back to this process's value being right as well.
$env:DEPLOY_EVENT_SUBSCRIPTION = 'true'

# Seconds between attempts; tests set it to 0.
$pause = if ($env:POSTDEPLOY_RETRY_SECONDS) { [int]$env:POSTDEPLOY_RETRY_SECONDS } else { 60 }
for ($attempt = 1; ; $attempt++) {
  azd provision --no-prompt
  if ($LASTEXITCODE -eq 0) { exit 0 }
  if ($attempt -ge 3) {
    # Back to false, or the next `azd up` would fail before its deploy step.
    azd env set DEPLOY_EVENT_SUBSCRIPTION false
    Write-Error ("postdeploy: adding the event subscription failed $attempt times; " +
      'fix the cause above, then run: azd hooks run postdeploy')
    exit 1
  }
  # The host registers a newly deployed function with ARM shortly after the deployment
  # returns; until then Event Grid answers "Destination endpoint not found".
  Write-Warning "postdeploy: retrying in $pause s (attempt $attempt of 3 failed)"
  Start-Sleep -Seconds $pause
}
