#!/usr/bin/env bash
# Installs (Debian packages) and starts what the tests need: PostgreSQL, Redis, Chromium.
set -euo pipefail
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

need=()
command -v redis-server >/dev/null || need+=(redis-server)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
# Debian's Chromium drives the page tests (Playwright never downloads a browser here);
# a CJK font makes screenshots of Chinese pages legible.
command -v chromium >/dev/null || need+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy" || need+=(fonts-wqy-microhei)
# espeak-ng speaks the synthetic host scripts of the ASR tests and evaluation.
command -v espeak-ng >/dev/null || need+=(espeak-ng)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! redis-cli -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --port 6379 --save "" --appendonly no >/dev/null
fi

pg_version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  pg_lsclusters -h | grep -q "^$pg_version main" || $SUDO pg_createcluster "$pg_version" main >/dev/null
  $SUDO pg_ctlcluster "$pg_version" main start
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done

psql_su() { $SUDO su postgres -c "psql -v ON_ERROR_STOP=1 -qtA -c \"$1\""; }
[ "$(psql_su "SELECT 1 FROM pg_roles WHERE rolname='copilot'")" = "1" ] \
  || psql_su "CREATE ROLE copilot LOGIN PASSWORD 'copilot' CREATEDB"
[ "$(psql_su "SELECT 1 FROM pg_database WHERE datname='copilot_test'")" = "1" ] \
  || psql_su "CREATE DATABASE copilot_test OWNER copilot"
echo "services: redis on 6379, postgresql $pg_version on 5432"
