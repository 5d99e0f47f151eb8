# shellcheck shell=bash
# Shared settings and helpers for test/services/ironic/*.sh (sourced, not executed).
#
# Everything runtime lives in $IRONIC_RUNTIME (default /tmp/esi-leap-ironic, shared by every
# checkout on the machine so a second clone reuses the running Ironic instead of colliding on
# its port): config, SQLite database, logs, pid files, lock and state dirs.
#
# Environment (defaults):
#   IRONIC_PORT=<free>       REST API port, bound to 127.0.0.1 only; ironic-up.sh picks a free
#                            one for a new runtime dir, the other scripts read it from there
#   IRONIC_RPC_PORT=<free>   JSON-RPC port of the conductor (split mode only), 127.0.0.1 only
#   IRONIC_MODE=single       single: one /usr/bin/ironic process (API + conductor in-process,
#                            rpc_transport=none): ~135 MiB RSS, ready ~4.5 s after launch
#                            split: ironic-api + ironic-conductor talking JSON-RPC on
#                            IRONIC_RPC_PORT: ~360 MiB RSS (3 processes), ready ~7 s
#   IRONIC_AUTH=noauth       noauth | keystone
#   IRONIC_DB_URL=           SQLAlchemy URL; default sqlite:///$IRONIC_RUNTIME/ironic.sqlite
#   IRONIC_RUNTIME=/tmp/esi-leap-ironic
#   IRONIC_API_VERSION=1.65  microversion the helper scripts send (esi-leap pins 1.65)
#   IRONIC_DEBUG=false       oslo 'debug' in the generated config
#   IRONIC_FAKE_DEPLOY_DELAY=0, IRONIC_FAKE_POWER_DELAY=0, IRONIC_FAKE_BOOT_DELAY=0
#                            [fake] *_delay: seconds ("N" or "MIN,MAX") the fake driver
#                            sleeps holding the node lock (makes 409 NodeLocked testable)
#   IRONIC_MAX_LIMIT=1000    [api] max_limit: largest page Ironic returns (small values make
#                            list pagination, i.e. "next" links, testable)
#   IRONIC_NOTIFICATIONS_URL=  oslo.messaging transport URL (rabbit://user:pass@host:port/):
#                            when set, Ironic emits versioned notifications there
#                            (messagingv2, notification_level = info); empty: none
#   IRONIC_NOTIFICATIONS_EXCHANGE=ironic  the exchange they go to ([DEFAULT] control_exchange)
# keystone mode only (Ironic behind keystonemiddleware; needs a running Keystone):
#   KEYSTONE_URL             identity v3 URL of the Keystone to use (required)
#   IRONIC_KS_USER=ironic-ci, IRONIC_KS_PASSWORD=<generated, kept in $IRONIC_RUNTIME/secrets.env>
#   OS_ADMIN_USER=admin, OS_ADMIN_PASSWORD / OS_ADMIN_PROJECT=admin: used once to create the
#   service user.

set -euo pipefail

IRONIC_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(git -C "$IRONIC_TOOLS_DIR" rev-parse --show-toplevel 2>/dev/null || (cd "$IRONIC_TOOLS_DIR/../../.." && pwd))"

IRONIC_HOST=127.0.0.1
IRONIC_RUNTIME="${IRONIC_RUNTIME:-/tmp/esi-leap-ironic}"
# Settings of the instance last started from this runtime dir (written by
# ironic-up.sh) fill in whatever the environment leaves unset.
if [ -r "$IRONIC_RUNTIME/instance.env" ]; then
  while IFS='=' read -r _k _v; do
    case "$_k" in IRONIC_PORT|IRONIC_RPC_PORT|IRONIC_MODE|IRONIC_AUTH|IRONIC_DB_URL|IRONIC_MAX_LIMIT)
      [ -n "${!_k:-}" ] || printf -v "$_k" '%s' "$_v" ;;
    esac
  done <"$IRONIC_RUNTIME/instance.env"
  unset _k _v
fi
# ironic-up.sh sets IRONIC_PICK_PORTS=1: a new instance gets free ports, never fixed ones that
# another Ironic on the machine may hold.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ "${IRONIC_PICK_PORTS:-0}" = 1 ]; then
  IRONIC_PORT="${IRONIC_PORT:-$(free_port)}"
  IRONIC_RPC_PORT="${IRONIC_RPC_PORT:-$(free_port)}"
fi
IRONIC_PORT="${IRONIC_PORT:-}"
IRONIC_RPC_PORT="${IRONIC_RPC_PORT:-}"
IRONIC_MODE="${IRONIC_MODE:-single}"
IRONIC_AUTH="${IRONIC_AUTH:-noauth}"
IRONIC_DB_URL="${IRONIC_DB_URL:-sqlite:///$IRONIC_RUNTIME/ironic.sqlite}"
IRONIC_API_VERSION="${IRONIC_API_VERSION:-1.65}"
IRONIC_DEBUG="${IRONIC_DEBUG:-false}"
IRONIC_FAKE_DEPLOY_DELAY="${IRONIC_FAKE_DEPLOY_DELAY:-0}"
IRONIC_FAKE_POWER_DELAY="${IRONIC_FAKE_POWER_DELAY:-0}"
IRONIC_FAKE_BOOT_DELAY="${IRONIC_FAKE_BOOT_DELAY:-0}"
IRONIC_MAX_LIMIT="${IRONIC_MAX_LIMIT:-1000}"
IRONIC_NOTIFICATIONS_URL="${IRONIC_NOTIFICATIONS_URL:-}"
IRONIC_NOTIFICATIONS_EXCHANGE="${IRONIC_NOTIFICATIONS_EXCHANGE:-ironic}"
IRONIC_URL="http://$IRONIC_HOST:$IRONIC_PORT"
KEYSTONE_URL="${KEYSTONE_URL:-}"

IRONIC_CONF="$IRONIC_RUNTIME/ironic.conf"
IRONIC_LOG_DIR="$IRONIC_RUNTIME/log"
API_PID="$IRONIC_RUNTIME/api.pid"
CONDUCTOR_PID="$IRONIC_RUNTIME/conductor.pid"
SINGLE_PID="$IRONIC_RUNTIME/ironic.pid"
IRONIC_SECRETS="$IRONIC_RUNTIME/secrets.env"

# Debian's interpreter and entry points, never a pyenv/venv python first on PATH.
# shellcheck disable=SC2034  # (variables here are used by the scripts sourcing this file)
PY=/usr/bin/python3

log() { printf '[ironic %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

pid_alive() {
  local f=$1 pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# start_bg PIDFILE LOGFILE CMD... : detached (own session), pid recorded.
start_bg() {
  local pidfile=$1 logfile=$2
  shift 2
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# stop_pidfiles PIDFILE... : TERM the recorded pids (only if they still are Ironic
# processes), wait up to 10 s for all of them, then KILL leftovers; remove the files.
stop_pidfiles() {
  local f pid pids=() alive
  for f in "$@"; do
    if pid_alive "$f"; then
      pid=$(cat "$f")
      if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "ironic"; then
        log "stopping $(basename "$f" .pid) (pid $pid)"
        kill -TERM "$pid" 2>/dev/null || true
        pids+=("$pid")
      else
        log "pid $pid in $f is no longer an ironic process; not touching it"
      fi
    fi
  done
  for _ in $(seq 1 40); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.25
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop on TERM; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$@"
}

# require_instance : dies unless an Ironic was started from this runtime dir (its port is known).
require_instance() {
  [ -n "$IRONIC_PORT" ] || die "no Ironic started from $IRONIC_RUNTIME (run ironic-up.sh with the same IRONIC_RUNTIME)"
}

# ir_curl METHOD PATH [JSON] : one API call, prints the body, fails on HTTP >= 400.
ir_curl() {
  local m=$1 p=$2 b=${3:-}
  local args=(-sS --fail-with-body --max-time 30 -X "$m"
    -H "X-OpenStack-Ironic-API-Version: $IRONIC_API_VERSION"
    -H 'Accept: application/json')
  [ -n "$b" ] && args+=(-H 'Content-Type: application/json' -d "$b")
  [ -n "${IRONIC_TOKEN:-}" ] && args+=(-H "X-Auth-Token: $IRONIC_TOKEN")
  curl "${args[@]}" "$IRONIC_URL$p"
}

# keystone_token USER PASSWORD PROJECT : project-scoped token (Default domain) on stdout.
keystone_token() {
  local body
  body=$(printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"%s","domain":{"id":"default"},"password":"%s"}}},"scope":{"project":{"name":"%s","domain":{"id":"default"}}}}}' "$1" "$2" "$3")
  curl -sS --fail --max-time 30 -D - -o /dev/null -H 'Content-Type: application/json' \
    -d "$body" "$KEYSTONE_URL/auth/tokens" | tr -d '\r' | awk 'tolower($1)=="x-subject-token:"{print $2}'
}

# ensure_admin_token : in keystone mode export IRONIC_TOKEN (an admin token) unless set;
# credentials OS_ADMIN_USER (admin) / OS_ADMIN_PASSWORD / OS_ADMIN_PROJECT (admin).
ensure_admin_token() {
  [ "$IRONIC_AUTH" = keystone ] && [ -z "${IRONIC_TOKEN:-}" ] || return 0
  local pw="${OS_ADMIN_PASSWORD:-}"
  [ -n "$pw" ] || die "keystone mode: set IRONIC_TOKEN or OS_ADMIN_PASSWORD"
  IRONIC_TOKEN=$(keystone_token "${OS_ADMIN_USER:-admin}" "$pw" "${OS_ADMIN_PROJECT:-admin}")
  [ -n "$IRONIC_TOKEN" ] || die "could not get a token from $KEYSTONE_URL"
  export IRONIC_TOKEN
}
