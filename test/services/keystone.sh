#!/usr/bin/env bash
# A throw-away Keystone on 127.0.0.1:5000 for esi-leap's tests: keystone.sh start|stop|status.
# Debian packages, SQLite, fernet tokens, uwsgi started directly (no systemd). "start" is
# idempotent: a running Keystone is reused, a stopped one restarted with its existing state.
# When it is up, $STATE/identity.json describes the projects, users and passwords it created.
set -euo pipefail

STATE=${ESI_LEAP_KEYSTONE_STATE:-/tmp/esi-leap-keystone}
PORT=5000
URL="http://127.0.0.1:${PORT}"
ADMIN_PASSWORD=${ESI_LEAP_KEYSTONE_ADMIN_PASSWORD:-keystone-admin-secret}
HERE=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$STATE/uwsgi.pid"
LOG="$STATE/uwsgi.log"

log() { echo "keystone.sh: $*" >&2; }

answers() { curl -fs -o /dev/null --max-time 2 "$URL/v3" 2>/dev/null; }

install_packages() {
  if [ -x /usr/bin/keystone-manage ] && [ -x /usr/bin/uwsgi ] && [ -e /usr/lib/uwsgi/plugins/python3_plugin.so ]; then
    return
  fi
  log "installing keystone and uwsgi (about 35 s)"
  export DEBIAN_FRONTEND=noninteractive
  local packages=(keystone uwsgi-core uwsgi-plugin-python3 python3-babel)
  if ! apt-get install -y -q --no-install-recommends "${packages[@]}" >"$STATE/apt.log" 2>&1; then
    apt-get update -q >>"$STATE/apt.log" 2>&1
    apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$STATE/apt.log" 2>&1
  fi
}

write_config() {
  mkdir -p "$STATE/fernet-keys" "$STATE/credential-keys"
  cat >"$STATE/keystone.conf" <<CONF
[DEFAULT]
use_stderr = true
[database]
connection = sqlite:///$STATE/keystone.db
[token]
provider = fernet
expiration = 14400
[fernet_tokens]
key_repository = $STATE/fernet-keys
[fernet_receipts]
key_repository = $STATE/fernet-keys
[credential]
key_repository = $STATE/credential-keys
[identity]
# The lowest bcrypt cost: tests create and log in many users.
password_hash_rounds = 4
CONF
  # Several threads: with HTTP/1.1 keep-alive an idle client connection holds its thread until
  # uwsgi's socket timeout (about 4 s), so a single thread stalls every other client.
  cat >"$STATE/uwsgi.ini" <<INI
[uwsgi]
plugins = python3
http11-socket = 127.0.0.1:$PORT
wsgi-file = /usr/bin/keystone-wsgi-public
env = OS_KEYSTONE_CONFIG_DIR=$STATE
env = OS_KEYSTONE_CONFIG_FILES=keystone.conf
master = true
processes = 2
threads = 8
enable-threads = true
lazy-apps = true
die-on-term = true
buffer-size = 65535
pidfile = $PIDFILE
INI
}

bootstrap() {
  local k=(keystone-manage --config-file "$STATE/keystone.conf")
  log "bootstrapping the database and keys (about 15 s)"
  "${k[@]}" db_sync
  # With SQLite's default rollback journal a reader left in a transaction blocks Keystone's next
  # write ("database is locked" after 5 s, then a 500); WAL lets readers and a writer coexist.
  /usr/bin/python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
    "$STATE/keystone.db"
  "${k[@]}" fernet_setup --keystone-user root --keystone-group root
  "${k[@]}" credential_setup --keystone-user root --keystone-group root
  "${k[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$URL/v3" --bootstrap-internal-url "$URL/v3" --bootstrap-public-url "$URL/v3"
  touch "$STATE/bootstrapped"
}

run_uwsgi() {
  log "starting uwsgi on $URL"
  setsid /usr/bin/uwsgi --ini "$STATE/uwsgi.ini" >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 120); do
    if answers; then return; fi
    sleep 0.5
  done
  log "Keystone did not answer within 60 s; see $LOG"
  tail -20 "$LOG" >&2
  exit 1
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  mkdir -p "$STATE"
  if ! answers; then
    install_packages
    if [ ! -f "$STATE/bootstrapped" ]; then
      rm -rf "$STATE/keystone.db" "$STATE/fernet-keys" "$STATE/credential-keys"
      write_config
      bootstrap
    fi
    run_uwsgi
  fi
  # Get-or-create: cheap when everything exists, so every start re-checks the fixtures.
  /usr/bin/python3 "$HERE/keystone/identity_fixtures.py" "$URL/v3" "$ADMIN_PASSWORD" >"$STATE/identity.json.tmp"
  mv "$STATE/identity.json.tmp" "$STATE/identity.json"
  log "up at $URL; identities in $STATE/identity.json"
}

stop() {
  local pid
  if pid=$(running_pid); then
    # uwsgi's master exits on SIGTERM (die-on-term) and takes its workers along.
    kill -TERM "$pid"
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
}

status() {
  if answers; then
    echo "running at $URL (state $STATE)"
  else
    echo "stopped"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
