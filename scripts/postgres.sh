#!/usr/bin/env bash
# A throwaway PostgreSQL from Debian's packages in a directory of its own, for the test command
# and the benchmarks: TLS with a private CA made here (verify-full works against 127.0.0.1 and
# localhost) and password sign-in (SCRAM) for the role `console`, which may create databases.
#
#   scripts/postgres.sh start DIR   starts it; writes DIR/env with
#                                   TEST_POSTGRES_URL (postgres://console@127.0.0.1:PORT),
#                                   TEST_POSTGRES_PASSWORD_FILE and TEST_POSTGRES_CA
#   scripts/postgres.sh stop DIR    stops it (the directory stays; remove it yourself)
#
# Installs Debian's `postgresql` package when no server binaries are found (apt-get, as
# scripts/setup.sh installs Chromium). Run as root, the server runs as the `postgres` user
# (initdb refuses root).
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [[ -z "$bin" || ! -x "$bin/initdb" ]]; then
  say "Installing PostgreSQL from Debian's packages (apt-get)"
  sudo_cmd=(); [[ $(id -u) == 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends postgresql openssl
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  say "PostgreSQL ($("$bin/postgres" --version | awk '{print $3}')) in $dir on 127.0.0.1:$port, TLS with a private CA"
  (
    cd "$dir"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3 \
      -subj "/CN=console test CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
      -days 3 -extfile server.ext 2>/dev/null
    openssl rand -hex 24 > console.password
    chmod 600 server.key
  )
  if [[ $(id -u) == 0 ]]; then chown -R postgres: "$dir"; chmod 755 "$dir"; fi
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-locale >"$dir/initdb.log"
  cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
ssl = on
ssl_cert_file = '$dir/server.pem'
ssl_key_file = '$dir/server.key'
CONF
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
  as_pg "$bin/psql" -q -h "$dir" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE console LOGIN CREATEDB PASSWORD '$(cat "$dir/console.password")'"
  cat > "$dir/env" <<ENV
export TEST_POSTGRES_URL=postgres://console@127.0.0.1:$port
export TEST_POSTGRES_PASSWORD_FILE=$dir/console.password
export TEST_POSTGRES_CA=$dir/ca.pem
ENV
  chmod 644 "$dir/env" "$dir/console.password" "$dir/ca.pem"
  ;;
stop)
  [[ -d "$dir/data" ]] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
