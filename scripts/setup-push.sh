#!/usr/bin/env bash
# Installs the real servers that push/ tests run against, on Debian, when missing:
#   nginx + libnginx-mod-http-dav-ext   HTTP/WebDAV origin and edge caches (apt)
#   versitygw v1.8.0                    S3-compatible server, posix backend (go install)
# Idempotent: a machine that has both installs nothing. versitygw takes 2-3 minutes
# to build, so it goes to $(go env GOPATH)/bin (or $GOBIN), which CI runs on the same
# machine reuse; the Makefile puts $(HOME)/go/bin on PATH.
#   scripts/setup-push.sh
set -euo pipefail

VERSITYGW_VERSION=v1.8.0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
# The dav-ext module provides PROPFIND/OPTIONS; Debian ships it as a loadable module.
if ! ls /usr/share/nginx/modules-available/mod-http-dav-ext.conf /usr/lib/nginx/modules/ngx_http_dav_ext_module.so >/dev/null 2>&1; then
  need+=(libnginx-mod-http-dav-ext)
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
    echo "setup-push: need root or sudo to install: ${need[*]}" >&2
    exit 1
  fi
  echo "setup-push: installing ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Debian starts the packaged nginx service on install; tests run their own instances.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $sudo systemctl disable --now nginx >/dev/null 2>&1 || true
  fi
fi

if ! command -v go >/dev/null 2>&1; then
  echo "setup-push: Go is not on PATH (Go 1.26 is required)" >&2
  exit 1
fi
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
stamp="$gobin/.versitygw-$VERSITYGW_VERSION"
if [ ! -x "$gobin/versitygw" ] || [ ! -e "$stamp" ]; then
  echo "setup-push: building versitygw $VERSITYGW_VERSION into $gobin (2-3 minutes)" >&2
  GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  touch "$stamp"
fi
