#!/bin/sh
# azd postdown hook: the function is gone, so the next `azd up` must start again without the
# event subscription (it is added back by the postdeploy hook once the code is deployed).
set -eu
azd env set DEPLOY_EVENT_SUBSCRIPTION false
