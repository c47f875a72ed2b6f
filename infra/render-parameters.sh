#!/bin/sh
# Renders infra/main.parameters.json for `az deployment group create`, resolving its azd
# placeholders from the environment the way azd does: ${NAME} takes $NAME, ${NAME=default}
# takes $NAME if it is set (even empty) and the default otherwise. A placeholder that fills a
# whole value and resolves to true or false becomes a JSON boolean, because ARM, unlike azd,
# does not convert "true" for a bool parameter.
#
#   REGISTRY_NAME=myreg REGISTRY_RESOURCE_GROUP=rg-acr AZURE_ENV_NAME=guard-prod \
#     infra/render-parameters.sh > guard.parameters.json
#   az deployment group create -g rg-guard -f infra/main.bicep -p @guard.parameters.json
#
# Exits 1, naming them, when placeholders without a default have no value.
set -eu

file="${1:-$(dirname "$0")/main.parameters.json}"

awk '
# Character by character: gsub replacement escapes differ between awk implementations.
function json_escape(s,    r, i, c) {
  r = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" || c == "\"") r = r "\\" c
    else if (c == "\t") r = r "\\t"
    else r = r c
  }
  return r
}
{
  line = $0
  out = ""
  while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*(=[^}]*)?\}/)) {
    token = substr(line, RSTART + 2, RLENGTH - 3)
    eq = index(token, "=")
    name = eq ? substr(token, 1, eq - 1) : token
    if (name in ENVIRON) value = ENVIRON[name]
    else if (eq) value = substr(token, eq + 1)
    else { missing = missing " " name; value = "" }
    before = substr(line, 1, RSTART - 1)
    line = substr(line, RSTART + RLENGTH)
    whole = before ~ /"$/ && line ~ /^"/
    if (whole && (value == "true" || value == "false")) {
      out = out substr(before, 1, length(before) - 1) value
      line = substr(line, 2)
    } else {
      out = out before json_escape(value)
    }
  }
  print out line
}
END {
  if (missing != "") {
    print "render-parameters: no value for" missing " (set them in the environment)" > "/dev/stderr"
    exit 1
  }
}' "$file"
