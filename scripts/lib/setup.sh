#!/usr/bin/env bash
# Shared set-up for scripts/run and scripts/test: installs what is missing, nothing more, so a
# second run takes seconds. Sourced, not run. Needs root or sudo for the system packages.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
STAMPS="$ROOT/var/stamps"
mkdir -p "$STAMPS" "$ROOT/var"
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  postgresql postgresql-contrib postgresql-15-postgis-3 postgresql-15-postgis-3-scripts
  gdal-bin libgdal-dev libgeos-dev libproj-dev
  python3 python3-venv python3-dev build-essential
  fonts-noto-cjk chromium nodejs npm curl ca-certificates
  redis-server
  poppler-utils  # pdftoppm: tests render printed documents to images
)

install_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # node/npm may come from elsewhere (nodesource, nvm); check_node below insists on a recent one.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
  fi
  local wanted=()
  for p in "${missing[@]}"; do [ -n "$p" ] && wanted+=("$p"); done
  if [ ${#wanted[@]} -gt 0 ]; then
    log "installing system packages: ${wanted[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
  fi
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

install_python() {
  local want; want="$(hash_of pyproject.toml)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMPS/python" 2>/dev/null)" = "$want" ]; then return; fi
  log "creating the Python environment (.venv)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e ".[test]"
  echo "$want" > "$STAMPS/python"
}

# Vite 7 and ESLint 10 need Node.js >= 20.19. Debian 12 and Ubuntu 24.04 ship 18: say so plainly.
check_node() {
  local v; v="$(node -p 'process.versions.node' 2>/dev/null || echo 0)"
  local major="${v%%.*}" minor; minor="$(echo "$v" | cut -d. -f2)"
  if [ "$major" -lt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -lt 19 ]; }; then
    echo "Node.js $v is too old for the map client: install Node.js 20.19+ or 22.12+ (e.g. from your" >&2
    echo "distribution's newer release or your organisation's mirror), then run this command again." >&2
    exit 1
  fi
}

install_frontend() {
  [ -f frontend-map/package.json ] || return 0
  check_node
  local want; want="$(hash_of frontend-map/package.json frontend-map/package-lock.json)"
  if [ ! -d frontend-map/node_modules ] || [ "$(cat "$STAMPS/npm" 2>/dev/null)" != "$want" ]; then
    log "installing the front end's node modules"
    (cd frontend-map && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$STAMPS/npm"
  fi
  # NUL-separated: file names may hold spaces (glyph folders such as "Noto Sans Regular").
  local src; src="$(find frontend-map/src frontend-map/public frontend-map/index.html frontend-map/app.html frontend-map/vite.config.ts frontend-map/package-lock.json -type f -print0 2>/dev/null | sort -z | xargs -0 cat 2>/dev/null | sha256sum | cut -c1-16)"
  if [ ! -d frontend-map/dist ] || [ "$(cat "$STAMPS/frontend" 2>/dev/null)" != "$src" ]; then
    log "building the front end"
    (cd frontend-map && npm run --silent build)
    echo "$src" > "$STAMPS/frontend"
  fi
}

# A local PostgreSQL for when DATABASE_URL is not given: Debian's cluster, started if it is not.
start_local_postgres() {
  local ver; ver="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver main"; then
    log "creating PostgreSQL $ver cluster"
    $SUDO pg_createcluster "$ver" main >/dev/null
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL $ver"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || $SUDO pg_ctlcluster "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # Role and database for the platform. Superuser: tests create databases with the postgis extension.
  local psql=($SUDO -u postgres psql -qAtX -v ON_ERROR_STOP=1)
  [ -n "$SUDO" ] || psql=(runuser -u postgres -- psql -qAtX -v ON_ERROR_STOP=1)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='smartcommunity'")" != 1 ]; then
    log "creating database role smartcommunity"
    "${psql[@]}" -c "CREATE ROLE smartcommunity LOGIN SUPERUSER PASSWORD 'smartcommunity'"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='smartcommunity'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE smartcommunity OWNER smartcommunity"
  fi
  export DATABASE_URL="postgis://smartcommunity:smartcommunity@127.0.0.1:5432/smartcommunity"
}

# Redis carries the background jobs (and the shared cache): start the local one if nothing answers.
start_local_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return; fi
  log "starting Redis"
  $SUDO service redis-server start >/dev/null 2>&1 || $SUDO redis-server --daemonize yes --bind 127.0.0.1 --port 6379 >/dev/null
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
}

setup_all() {
  install_system_packages
  install_python
  install_frontend
  if [ -z "${DATABASE_URL:-}" ]; then start_local_postgres; fi
  if [ -z "${CELERY_BROKER_URL:-}${REDIS_URL:-}" ]; then start_local_redis; fi
  export PATH="$VENV/bin:$PATH"
  export PYTHONPATH="$ROOT/platform:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
  export DJANGO_SETTINGS_MODULE=config.settings
}
