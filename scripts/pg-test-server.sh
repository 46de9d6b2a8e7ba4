#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the tests: a fresh cluster in a temporary
# directory, a free port, a login role with a random password and a database it owns.
#
# As a command:
#   scripts/pg-test-server.sh start        prints "DIR URL" (stop it with the DIR)
#   scripts/pg-test-server.sh stop DIR     stops the server and deletes DIR
# Sourced (as scripts/test.sh does):
#   pg_test_server_start                   sets PG_TEST_SERVER_DIR and DESKBRIDGE_TEST_PG_URL
#   pg_test_server_stop                    undoes it; safe to call twice
#
# Works as root (initdb and pg_ctl refuse root, so they run as the postgres user) and as an
# ordinary user. Needs the Debian postgresql package (scripts/install-deps.sh), no network.
# The cluster trades durability for speed (fsync off): it holds nothing worth keeping.

pg_test_server_bindir() {
  local dir
  # Debian keeps the server binaries off PATH, one directory per major version.
  local newest
  newest=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -rV)
  for dir in /usr/lib/postgresql/15/bin $newest; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return 0
    fi
  done
  echo "pg-test-server: no PostgreSQL server binaries under /usr/lib/postgresql" >&2
  echo "pg-test-server: install them with scripts/install-deps.sh" >&2
  return 1
}

# Runs a command as the cluster's owner: postgres when we are root, ourselves otherwise.
pg_test_server_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_test_server_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Prints the directory on success; the caller owns it from then on.
pg_test_server_init() {
  local bindir=$1 parent=${TMPDIR:-/tmp} dir
  # The postgres user must reach the directory, and root's TMPDIR may be private to root.
  [ "$(id -u)" -ne 0 ] || parent=/tmp
  dir=$(mktemp -d "$parent/deskbridge-pg.XXXXXX") || return 1
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  chmod 700 "$dir"
  # Local socket connections are trusted: the socket lives in this private directory, and
  # the tests themselves connect over TCP with the password.
  if ! pg_test_server_as_owner "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --no-locale \
      --auth-local=trust --auth-host=scram-sha-256 -N >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi
  echo "$dir"
}

# Starts the cluster in $1 on a free port (retrying when another process takes the port
# between the probe and the bind); prints the port.
pg_test_server_launch() {
  local bindir=$1 dir=$2 port attempt
  for attempt in 1 2 3; do
    port=$(pg_test_server_free_port) || return 1
    # max_connections: each e2e server opens up to two connections per core, and ctest and
    # pytest run several at once.
    if pg_test_server_as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
            -c max_connections=300 -c fsync=off -c synchronous_commit=off \
            -c full_page_writes=off" start >/dev/null; then
      echo "$port"
      return 0
    fi
    echo "pg-test-server: start on port $port failed (attempt $attempt)" >&2
  done
  tail -n 20 "$dir/server.log" >&2
  return 1
}

pg_test_server_start() {
  local bindir dir port password url
  bindir=$(pg_test_server_bindir) || return 1
  dir=$(pg_test_server_init "$bindir") || return 1
  if ! port=$(pg_test_server_launch "$bindir" "$dir"); then
    rm -rf "$dir"
    return 1
  fi

  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  # CREATEDB: the tests create and drop one database per test or module.
  # pg_signal_backend: their DROP DATABASE ... WITH (FORCE) also ends an autovacuum worker that
  # happens to be on the database, which PostgreSQL 15 refuses to a plain role (seen as a rare
  # failed teardown).
  if ! pg_test_server_as_owner psql -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres \
      -d postgres >/dev/null <<SQL
CREATE ROLE deskbridge LOGIN CREATEDB PASSWORD '$password';
GRANT pg_signal_backend TO deskbridge;
CREATE DATABASE deskbridge OWNER deskbridge;
SQL
  then
    pg_test_server_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$dir"
    return 1
  fi

  url="postgresql://deskbridge:$password@127.0.0.1:$port/deskbridge"
  echo "$url" >"$dir/url"
  PG_TEST_SERVER_DIR=$dir
  DESKBRIDGE_TEST_PG_URL=$url
  export PG_TEST_SERVER_DIR DESKBRIDGE_TEST_PG_URL
}

pg_test_server_stop() {
  local dir=${1:-${PG_TEST_SERVER_DIR:-}} bindir
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if bindir=$(pg_test_server_bindir 2>/dev/null) && [ -f "$dir/data/postmaster.pid" ]; then
    # Immediate: nothing here needs a clean checkpoint.
    pg_test_server_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 \
      || true
  fi
  rm -rf "$dir"
  if [ "${PG_TEST_SERVER_DIR:-}" = "$dir" ]; then
    unset PG_TEST_SERVER_DIR DESKBRIDGE_TEST_PG_URL
  fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      pg_test_server_start
      echo "$PG_TEST_SERVER_DIR $DESKBRIDGE_TEST_PG_URL"
      ;;
    stop)
      [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
      pg_test_server_stop "$2"
      ;;
    *)
      echo "usage: $0 start | stop DIR" >&2
      exit 2
      ;;
  esac
fi
