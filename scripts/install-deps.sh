#!/usr/bin/env bash
# Installs the Debian packages that building and testing Palaver need, and
# only those that are missing (so a ready machine pays one dpkg query).
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libpoco-dev libcppunit-dev libsodium-dev libsystemd-dev
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(curl)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
