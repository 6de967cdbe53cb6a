#!/usr/bin/env bash
# Starts and stops a throw-away PostgreSQL and Redis on loopback for the
# cluster tests. State (ports, pids, data folders) lives in DIR.
#
#   services.sh pg-start DIR       initdb + start on a free port; DIR/pg.conn
#                                  holds "host=127.0.0.1 port=N user=postgres"
#   services.sh pg-stop DIR        stop it (the data stays, pg-start restarts it)
#   services.sh pg-destroy DIR     stop it and remove its data
#   services.sh redis-start DIR    start (same port again if DIR/redis.port exists)
#   services.sh redis-stop DIR     kill -9 it, as a crash would
#
# Fails loudly (non-zero, with the reason) when a server cannot be found or started.
set -euo pipefail

command="${1:?usage: services.sh pg-start|pg-stop|pg-destroy|redis-start|redis-stop DIR}"
dir="${2:?usage: services.sh COMMAND DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
# PostgreSQL's programs run as the postgres user, which may not be allowed
# into the caller's folder (e.g. a clone under /root).
cd /tmp

fail() { echo "services.sh: $*" >&2; exit 1; }

# Below the kernel's ephemeral range (32768 and up), where any test's next
# outgoing connection could take a port bound to 0 before the server binds it.
free_port() {
  python3 -c '
import random, socket
for _ in range(1000):
    port = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        s.close()
'
}

pg_bin() {
  local candidate
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$candidate/pg_ctl" ]] && { echo "$candidate"; return; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return; }
  fail "PostgreSQL server binaries not found (Debian: apt-get install postgresql; make test-deps)"
}

# Runs a PostgreSQL program as the owner of the data (initdb refuses root).
as_pg() {
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || fail "running as root but there is no postgres user"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  local bin data port
  bin="$(pg_bin)"
  if [[ -f "$dir/pg.data" ]]; then
    data="$(cat "$dir/pg.data")"
    port="$(cat "$dir/pg.port")"
  else
    # Outside the build tree: the postgres user must be able to reach it.
    data="$(mktemp -d /tmp/palaver-pg.XXXXXX)"
    port="$(free_port)"
    [[ $(id -u) -eq 0 ]] && chown postgres "$data"
    chmod 700 "$data"
    as_pg "$bin/initdb" -D "$data/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/pg-initdb.log" 2>&1 \
      || { cat "$dir/pg-initdb.log" >&2; fail "initdb failed"; }
    echo "$data" >"$dir/pg.data"
    echo "$port" >"$dir/pg.port"
  fi
  as_pg "$bin/pg_ctl" -D "$data/data" -l "$data/server.log" -w -t 30 start -o \
    "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    >/dev/null || { cat "$data/server.log" >&2 || true; fail "PostgreSQL did not start"; }
  echo "host=127.0.0.1 port=$port user=postgres" >"$dir/pg.conn"
  echo "PostgreSQL on 127.0.0.1:$port ($data)"
}

pg_stop() {
  [[ -f "$dir/pg.data" ]] || return 0
  local data
  data="$(cat "$dir/pg.data")"
  [[ -d "$data/data" ]] || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$data/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
}

pg_destroy() {
  pg_stop
  if [[ -f "$dir/pg.data" ]]; then
    local data
    data="$(cat "$dir/pg.data")"
    [[ "$data" == /tmp/palaver-pg.* ]] && rm -rf "$data"
    rm -f "$dir/pg.data" "$dir/pg.port" "$dir/pg.conn"
  fi
}

redis_start() {
  command -v redis-server >/dev/null 2>&1 || fail "redis-server not found (Debian: apt-get install redis-server; make test-deps)"
  local port
  if [[ -f "$dir/redis.port" ]]; then port="$(cat "$dir/redis.port")"; else port="$(free_port)"; echo "$port" >"$dir/redis.port"; fi
  rm -f "$dir/redis.pid"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" || fail "redis-server did not start"
  local i
  for i in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "Redis on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.05
  done
  cat "$dir/redis.log" >&2 || true
  fail "Redis did not answer on port $port"
}

redis_stop() {
  [[ -f "$dir/redis.pid" ]] || return 0
  local pid i
  pid="$(cat "$dir/redis.pid")"
  kill -9 "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  rm -f "$dir/redis.pid"
}

case "$command" in
  pg-start) pg_start ;;
  pg-stop) pg_stop ;;
  pg-destroy) pg_destroy ;;
  redis-start) redis_start ;;
  redis-stop) redis_stop ;;
  *) fail "unknown command $command" ;;
esac
