# Sourced by scripts/test: make sure a PostgreSQL server answers on 127.0.0.1 and
# export STREAMVIS_TEST_PG_DSN for the tests.
#
# In order: an explicit STREAMVIS_TEST_PG_DSN; the machine's server on 5432; the
# machine's Debian cluster, started; else a throwaway cluster made with initdb in a
# temp dir (installing Debian's postgresql package first if its binaries are
# missing), stopped again when the calling script exits.

_pg_answers() {
  "$VENV_PY" - "$1" <<'PY' >/dev/null 2>&1
import sys, psycopg
with psycopg.connect(sys.argv[1], connect_timeout=3) as c:
    c.execute("SELECT 1")
PY
}

_pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

# shellcheck source=as_root.sh
source "$(dirname "${BASH_SOURCE[0]}")/as_root.sh"

ensure_postgres() {
  local default="postgresql://postgres@127.0.0.1:5432/postgres"
  if [ -n "${STREAMVIS_TEST_PG_DSN:-}" ] && _pg_answers "$STREAMVIS_TEST_PG_DSN"; then
    echo "postgres: using STREAMVIS_TEST_PG_DSN"; return 0
  fi
  if _pg_answers "$default"; then
    export STREAMVIS_TEST_PG_DSN="$default"; echo "postgres: using the server on 127.0.0.1:5432"
    return 0
  fi
  if command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
    local ver name
    read -r ver name _ < <(pg_lsclusters -h | head -n 1)
    _as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >/dev/null 2>&1 || true
    if _pg_answers "$default"; then
      export STREAMVIS_TEST_PG_DSN="$default"; echo "postgres: started cluster $ver/$name"
      return 0
    fi
  fi
  local bin
  if ! bin=$(_pg_bin); then
    echo "postgres: installing Debian's postgresql package"
    _as_root apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq postgresql >/dev/null
    bin=$(_pg_bin)
  fi
  local dir port
  dir=$(mktemp -d /tmp/streamvis-pg.XXXXXX)
  port=$("$VENV_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root; the Debian package made a postgres user.
    chown postgres "$dir"; runas=(runuser -u postgres --)
  fi
  "${runas[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" >/dev/null
  export STREAMVIS_TEST_PG_DSN="postgresql://postgres@127.0.0.1:$port/postgres"
  _PG_THROWAWAY=("${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  trap '"${_PG_THROWAWAY[@]}" >/dev/null 2>&1; rm -rf "'"$dir"'"' EXIT
  echo "postgres: throwaway cluster on port $port"
}
