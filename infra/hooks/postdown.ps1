# azd postdown hook (PowerShell twin of postdown.sh): the function is gone, so the next
# `azd up` must start again without the event subscription (the postdeploy hook adds it back
# once the code is deployed).
$ErrorActionPreference = 'Stop'
azd env set DEPLOY_EVENT_SUBSCRIPTION false
exit $LASTEXITCODE
