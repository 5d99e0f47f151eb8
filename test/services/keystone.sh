#!/usr/bin/env bash
# A throw-away Keystone on a free loopback port for esi-leap's tests: keystone.sh start|stop|status.
# Debian packages, SQLite, fernet tokens, uwsgi started directly (no systemd).
#
#   ESI_LEAP_KEYSTONE_STATE  state directory (default /tmp/esi-leap-keystone): config, database,
#                            keys, logs, and identity.json once it is up
#   ESI_LEAP_KEYSTONE_PORT   port to serve on; unset: the port this state was bootstrapped for,
#                            or a free one for a new state
#   ESI_LEAP_KEYSTONE_TEMPLATE_DIR  where a bootstrapped state is kept to copy from (default
#                            ~/.cache/esi-leap-test): a new state starts in seconds instead of
#                            re-running keystone-manage (about 20 s)
#
# "start" is idempotent: the Keystone this state runs is reused, a stopped one restarted with its
# existing state. A port held by anything else is reported in one line, never reused: a foreign
# Keystone there would make the tests fail in confusing ways. On success "start" prints
# KEYSTONE_URL=... on stdout; $STATE/identity.json describes the projects, users and passwords.
set -euo pipefail

STATE=${ESI_LEAP_KEYSTONE_STATE:-/tmp/esi-leap-keystone}
ADMIN_PASSWORD=${ESI_LEAP_KEYSTONE_ADMIN_PASSWORD:-keystone-admin-secret}
HERE=$(cd "$(dirname "$0")" && pwd)
PIDFILE="$STATE/uwsgi.pid"
LOG="$STATE/uwsgi.log"
PY=/usr/bin/python3
TEMPLATE_ROOT=${ESI_LEAP_KEYSTONE_TEMPLATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/esi-leap-test}

log() { echo "keystone.sh: $*" >&2; }

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The port: asked for, else the one this state was bootstrapped for (its catalog names it), else free.
choose_port() {
  local recorded=""
  [ -f "$STATE/port" ] && recorded=$(cat "$STATE/port")
  if [ -n "${ESI_LEAP_KEYSTONE_PORT:-}" ]; then
    if [ -n "$recorded" ] && [ "$recorded" != "$ESI_LEAP_KEYSTONE_PORT" ]; then
      log "$STATE was set up for port $recorded, not $ESI_LEAP_KEYSTONE_PORT; use another ESI_LEAP_KEYSTONE_STATE"
      exit 2
    fi
    PORT=$ESI_LEAP_KEYSTONE_PORT
  elif [ -n "$recorded" ]; then
    PORT=$recorded
  else
    PORT=$(free_port)
  fi
  URL="http://127.0.0.1:${PORT}"
}

answers() { curl -fs -o /dev/null --max-time 2 "$URL/v3" 2>/dev/null; }

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

# The uwsgi master this state started, if it still runs.
running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STATE/uwsgi.ini" || return 1
  echo "$pid"
}

install_packages() {
  if [ -x /usr/bin/keystone-manage ] && [ -x /usr/bin/uwsgi ] && [ -e /usr/lib/uwsgi/plugins/python3_plugin.so ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    log "Keystone is not installed and installing it needs root (apt-get install keystone uwsgi-core uwsgi-plugin-python3)"
    exit 1
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
  log "bootstrapping the database and keys (about 20 s; log in $STATE/bootstrap.log)"
  {
    "${k[@]}" db_sync
    # With SQLite's default rollback journal a reader left in a transaction blocks Keystone's next
    # write ("database is locked" after 5 s, then a 500); WAL lets readers and a writer coexist.
    "$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
      "$STATE/keystone.db"
    "${k[@]}" fernet_setup --keystone-user root --keystone-group root
    "${k[@]}" credential_setup --keystone-user root --keystone-group root
    "${k[@]}" bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-username admin \
      --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$URL/v3" --bootstrap-internal-url "$URL/v3" --bootstrap-public-url "$URL/v3"
  } >"$STATE/bootstrap.log" 2>&1 || {
    tail -20 "$STATE/bootstrap.log" >&2
    exit 1
  }
  echo "$PORT" >"$STATE/port"
  touch "$STATE/bootstrapped"
}

template_dir() { echo "$TEMPLATE_ROOT/keystone-$(dpkg-query -W -f='${Version}' keystone 2>/dev/null || echo unknown)"; }

# A copy of a bootstrapped state, its catalog's identity endpoints moved to this port.
from_template() {
  local template
  template=$(template_dir)
  [ -f "$template/port" ] || return 1
  cp -r "$template/keystone.db" "$template/fernet-keys" "$template/credential-keys" "$STATE/"
  "$PY" - "$STATE/keystone.db" "http://127.0.0.1:$(cat "$template/port")/" "$URL/" <<'PYEOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE endpoint SET url = replace(url, ?, ?)", (sys.argv[2], sys.argv[3]))
db.commit()
PYEOF
  echo "$PORT" >"$STATE/port"
  touch "$STATE/bootstrapped"
  log "state copied from $template"
}

# Keeps this freshly bootstrapped state (identities included) for the next new state to copy.
save_template() {
  local template work
  template=$(template_dir)
  [ -e "$template" ] && return 0
  mkdir -p "$TEMPLATE_ROOT"
  work=$(mktemp -d "$TEMPLATE_ROOT/.keystone-XXXXXX")
  # SQLite's backup API: a consistent copy while uwsgi has the database open.
  "$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
    "$STATE/keystone.db" "$work/keystone.db"
  cp -r "$STATE/fernet-keys" "$STATE/credential-keys" "$work/"
  echo "$PORT" >"$work/port"
  mv -T "$work" "$template" 2>/dev/null || rm -rf "$work"
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

start() {
  mkdir -p "$STATE"
  choose_port
  if ! running_pid >/dev/null || ! answers; then
    if port_taken; then
      local holder
      holder=$(ss -ltnpH "sport = :$PORT" 2>/dev/null | grep -o 'users:(([^)]*' | head -1 | sed 's/users:((//')
      log "127.0.0.1:$PORT is in use by a process this script did not start (${holder:-unknown}); not starting Keystone there. Unset ESI_LEAP_KEYSTONE_PORT or pick another ESI_LEAP_KEYSTONE_STATE."
      exit 3
    fi
    install_packages
    local fresh=0
    if [ ! -f "$STATE/bootstrapped" ]; then
      rm -rf "$STATE/keystone.db" "$STATE/fernet-keys" "$STATE/credential-keys"
      write_config
      from_template || {
        bootstrap
        fresh=1
      }
    fi
    run_uwsgi
  fi
  # Get-or-create: cheap when everything exists, so every start re-checks the fixtures.
  "$PY" "$HERE/keystone/identity_fixtures.py" "$URL/v3" "$ADMIN_PASSWORD" >"$STATE/identity.json.tmp"
  mv "$STATE/identity.json.tmp" "$STATE/identity.json"
  if [ "${fresh:-0}" = 1 ]; then save_template; fi
  log "up at $URL; identities in $STATE/identity.json"
  echo "KEYSTONE_URL=$URL"
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
    if kill -0 "$pid" 2>/dev/null; then
      log "uwsgi (pid $pid) did not stop on TERM; sending KILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
}

status() {
  choose_port
  if running_pid >/dev/null && answers; then
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
