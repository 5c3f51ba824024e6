#!/usr/bin/env bash
# test-postgres.sh: a throw-away PostgreSQL server for the test suite (test.sh uses it).
#
#   scripts/test-postgres.sh start DIR   # DIR: a fresh, empty directory the caller owns
#   scripts/test-postgres.sh stop DIR    # fine when it is already stopped
#
# start creates a cluster under DIR and starts it: superuser `postgres` with a random
# password, scram-sha-256 for every connection (TCP and Unix socket), listening on
# 127.0.0.1 only, on a port nothing else listens on, its Unix socket inside DIR (never
# /var/run/postgresql, so it cannot meet the machine's own server), fsync off and small
# buffers (it holds nothing worth keeping). It waits until the server accepts connections,
# then prints exactly one line on stdout:
#
#   postgres://postgres:PASSWORD@127.0.0.1:PORT/postgres
#
# and nothing else (everything else goes to stderr or to files in DIR). The password is
# nowhere on disk in clear: initdb reads it from a file that is removed right after.
#
# As root, the server runs as the `postgres` system user (Debian's `postgresql` package
# creates it; initdb and postgres refuse to run as root); otherwise as the current user.
#
# Layout of DIR:  data/ (the cluster), socket/ (the Unix socket), server.log, setup.log
# (initdb and pg_ctl). On failure start prints the tail of server.log and setup.log to stderr, stops whatever
# it started and exits non-zero. The caller removes DIR after `stop`.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 64; }
die() { echo "test-postgres.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || usage
command=$1
[ -d "$2" ] || die "$2: no such directory"
dir=$(cd "$2" && pwd -P)
data=$dir/data
socket=$dir/socket
log=$dir/server.log
setup_log=$dir/setup.log   # what initdb and pg_ctl say

# The directory holding initdb, pg_ctl and postgres: the newest Debian-versioned one
# (/usr/lib/postgresql/<major>/bin), else what pg_config names (libpq-dev's pg_config may
# exist without a server, so initdb must be there too), else whatever PATH has.
find_bindir() {
  local candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then echo "$candidate"; return; fi
  if command -v pg_config >/dev/null 2>&1; then
    candidate=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then echo "$candidate"; return; fi
  fi
  candidate=$(command -v initdb 2>/dev/null || true)
  if [ -n "$candidate" ]; then dirname "$candidate"; return; fi
  die "no PostgreSQL server binaries (initdb, pg_ctl): install package postgresql (scripts/deps.sh does)"
}
bin=$(find_bindir)

# as_server CMD...: runs CMD as the user the server runs as, in DIR (a root-only current
# directory would make the server's tools complain).
as_server() {
  if [ -n "$server_user" ]; then
    if command -v runuser >/dev/null 2>&1; then
      (cd "$dir" && runuser -u "$server_user" -- "$@")
    else
      (cd "$dir" && setpriv --reuid="$server_user" --regid="$server_user" --init-groups -- "$@")
    fi
  else
    (cd "$dir" && "$@")
  fi
}

# port_is_free PORT: true when nothing accepts connections on 127.0.0.1:PORT (bash's
# /dev/tcp: no python3 or ss needed). A race with another process taking the port between
# this check and the server's bind is caught below: start then tries another port.
port_is_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# random_port: a free port in 20000-29999, below Linux's ephemeral range (32768-60999),
# where outgoing connections take their local ports.
random_port() {
  local port tries=0
  while [ $tries -lt 100 ]; do
    port=$((20000 + $(od -An -tu2 -N2 /dev/urandom | tr -d ' ') % 10000))
    if port_is_free "$port"; then echo "$port"; return; fi
    tries=$((tries + 1))
  done
  die "no free port found in 20000-29999"
}

stop() {
  # Run pg_ctl as whoever owns the cluster (root cannot run it).
  [ -f "$data/PG_VERSION" ] || return 0
  server_user=""
  if [ "$(id -u)" -eq 0 ]; then server_user=$(stat -c %U "$data"); fi
  [ "$server_user" = root ] && server_user=""
  # pg_ctl status: 0 running, 3 not running (4: no usable data directory).
  if as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$data" -m immediate -w stop >&2
  fi
}

start() {
  [ -e "$data" ] && die "$dir already holds a cluster (data/); start needs a fresh directory"
  case $dir in *"'"*|*\\*) die "$dir: the path may not contain a quote or a backslash" ;; esac
  # A Unix socket path has at most 107 bytes: DIR/socket/.s.PGSQL.NNNNN.
  [ ${#socket} -le 90 ] || die "$dir: path too long for a Unix socket; use a shorter one (mktemp -d under /tmp)"

  server_user=""
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || die "running as root needs the postgres system user (install package postgresql)"
    server_user=postgres
    # The server user must reach DIR (enter, not list) and own what it writes into.
    chmod o+x "$dir"
    as_server test -x "$dir" || die "$dir: user postgres cannot reach it (a parent directory is private); use a directory under /tmp"
  fi
  mkdir -m 700 "$data" "$socket"
  : >"$log"
  : >"$setup_log"
  [ -z "$server_user" ] || chown "$server_user:" "$data" "$socket" "$log" "$setup_log"

  # The password: 32 hex digits, so it needs no escaping in a URL or a config file.
  local password
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  # initdb reads it from a file only the server user can read, removed right after.
  local pwfile
  pwfile=$(mktemp "$dir/pwfile.XXXXXX")
  chmod 600 "$pwfile"
  printf '%s\n' "$password" >"$pwfile"
  [ -z "$server_user" ] || chown "$server_user:" "$pwfile"
  # UTF-8 and the C locale: the same on every machine, whatever locales it has installed.
  if ! as_server "$bin/initdb" -D "$data" --username=postgres --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C --no-sync --no-instructions >>"$setup_log" 2>&1; then
    rm -f "$pwfile"
    tail -n 30 "$setup_log" >&2
    die "initdb failed (log: $setup_log)"
  fi
  rm -f "$pwfile"

  # Settings live in one included file (rewritten per port attempt below); postgresql.conf
  # just includes it, so they win over initdb's defaults.
  echo "include 'test-postgres.conf'" >>"$data/postgresql.conf"

  local port attempt lines
  for attempt in 1 2 3 4 5; do
    port=$(random_port)
    cat >"$data/test-postgres.conf" <<EOF
# Written by scripts/test-postgres.sh: a throw-away server for the tests.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket'
max_connections = 100
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 256MB
logging_collector = off
EOF
    [ -z "$server_user" ] || chown "$server_user:" "$data/test-postgres.conf"
    lines=$(wc -l <"$log")
    # -w: return once the server accepts connections; -l: its output goes to server.log.
    if as_server "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null 2>>"$setup_log"; then
      echo "postgres://postgres:$password@127.0.0.1:$port/postgres"
      return 0
    fi
    stop >/dev/null 2>&1 || true
    # Someone took the port between the check and the bind: try another one.
    if tail -n +"$((lines + 1))" "$log" | grep -q 'could not bind\|Address already in use'; then
      echo "test-postgres.sh: port $port was taken meanwhile" >&2
      continue
    fi
    break
  done
  echo "--- last lines of $setup_log" >&2
  tail -n 10 "$setup_log" >&2
  echo "--- last lines of $log" >&2
  tail -n 30 "$log" >&2
  die "the server did not start"
}

case $command in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
