#!/usr/bin/env bash
# Installs the Debian packages git-remote-workspace builds and tests with, when any is missing.
# Idempotent: a machine that has them all is left alone (no apt-get at all).
set -euo pipefail

# postgresql: the server test.sh starts (scripts/test-postgres.sh); libpq-dev: the PostgreSQL
# store's header (libpq5, which it brings, is loaded when a PostgreSQL store is opened);
# postgresql-client: psql, which the tests use; python3-psycopg2: an
# outbox test's Python application on PostgreSQL (Debian's /usr/bin/python3 sees it);
# python3-matplotlib, time (GNU time) and valgrind: the benchmark (scripts/bench.sh): its plot,
# the helper's peak memory and its callgrind profiles.
packages=(git pkg-config libgit2-dev libyaml-dev zlib1g-dev libsqlite3-dev sqlite3
          postgresql libpq-dev postgresql-client python3-psycopg2
          man-db groff-base bsdextrautils python3-matplotlib time valgrind)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "deps.sh: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
