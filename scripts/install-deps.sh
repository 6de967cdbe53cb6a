#!/usr/bin/env bash
# Installs the Debian packages that building and testing Palaver need, and
# only those that are missing (so a ready machine pays one dpkg query).
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config
  libpoco-dev libcppunit-dev libsodium-dev libsystemd-dev libpq-dev libsqlite3-dev
  libicu-dev libelf-dev
  rapidjson-dev
  # The attachments plugin decodes, strips and thumbnails images with libvips.
  libvips-dev
  # The push plugin: Web Push encryption and VAPID signatures (OpenSSL 3).
  libssl-dev
  # bench/run.sh fills the search scenario's database with the sqlite3 program.
  sqlite3
)
if [[ "${1:-}" == "--test" ]]; then
  # Packaging test (tests/packaging): cpack, dpkg -x, systemd-analyze verify.
  packages+=(curl dpkg-dev systemd python3)
  # Cluster tests (tests/integration/cluster): a real PostgreSQL and Redis,
  # started on loopback with temporary data folders.
  packages+=(postgresql redis-server)
  # The bench's conversations scenario (make bench) fills palaverd's SQLite file with the sqlite3 program.
  packages+=(sqlite3)
  # Browser tests (tests/browser): Debian's Chromium driven by playwright-core
  # from npm (no browser download); an emoji font so screenshots show emoji.
  packages+=(chromium fonts-noto-color-emoji)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
if [[ "${1:-}" == "--fuzz" ]]; then
  # libFuzzer (fuzz/, make fuzz): Debian 12's clang and its runtime libraries.
  packages+=(clang libclang-rt-dev)
fi

# tests/browser's npm packages, when missing or older than the lockfile.
browser_npm() {
  [[ "${1:-}" == "--test" ]] || return 0
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/browser"
  [[ -f "$dir/package-lock.json" ]] || return 0
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    echo "install-deps: npm ci in tests/browser"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  browser_npm "${1:-}"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
browser_npm "${1:-}"
