#!/usr/bin/env bash
# Installs what `make e2e` needs and is missing, on Debian: the chromium
# package (never a downloaded browser build), Node.js >= 20 with npm, and the
# pinned node packages of e2e/package-lock.json (npm ci). Idempotent: a machine
# that has everything installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-e2e: need root or sudo to install Debian packages" >&2; exit 1; }
  sudo="sudo"
fi
updated=""
apt_install() {
  echo "setup-e2e: installing $*" >&2
  if [ -z "$updated" ]; then
    $sudo apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

[ -x /usr/bin/chromium ] || apt_install chromium

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
if [ "$(node_major)" -lt 20 ]; then
  echo "setup-e2e: Node.js $(node --version 2>/dev/null || echo none) is too old; playwright-core and dash.js need Node.js >= 20" >&2
  exit 1
fi

# npm ci when node_modules is missing or was installed from another lockfile.
stamp=e2e/node_modules/.vpack-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s e2e/package-lock.json "$stamp"; then
  echo "setup-e2e: npm ci in e2e/" >&2
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
  cp e2e/package-lock.json "$stamp"
fi
