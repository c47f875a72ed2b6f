#!/usr/bin/env bash
# Installs the Bicep CLI for the infra tests and prints the path of the executable.
#
# Bicep ships as a NuGet package whose tools/bicep is the native Linux executable; the dotnet
# SDK can restore it without any other download (the install script from the Bicep docs
# fetches a release binary from GitHub, which these machines cannot reach).
# Idempotent: an existing `bicep` on PATH or in the NuGet cache is reused as it is.
set -euo pipefail

version="${BICEP_VERSION:-0.49.2}"
package='azure.bicep.commandline.linux-x64'
packages_dir="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cached="$packages_dir/$package/$version/tools/bicep"

if [[ -n "${BICEP_BIN:-}" && -x "${BICEP_BIN}" ]]; then
  echo "$BICEP_BIN"
  exit 0
fi
if command -v bicep >/dev/null 2>&1; then
  command -v bicep
  exit 0
fi
if [[ -f "$cached" ]]; then
  chmod +x "$cached"
  echo "$cached"
  exit 0
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "install-bicep: no bicep and no dotnet SDK; infra tests will be skipped" >&2
  exit 0
fi

# A throwaway project: PackageDownload fetches the package without referencing it, so no
# target framework compatibility is checked and nothing is built.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/bicep-restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$version]" />
  </ItemGroup>
</Project>
XML
DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
  dotnet restore "$work/bicep-restore.csproj" --verbosity quiet >&2

if [[ ! -f "$cached" ]]; then
  echo "install-bicep: restore finished but $cached is missing" >&2
  exit 1
fi
chmod +x "$cached"
echo "$cached"
