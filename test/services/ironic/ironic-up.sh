#!/usr/bin/env bash
# Start a REAL OpenStack Ironic (Debian 12 packages, 'fake-hardware' driver) on
# 127.0.0.1:$IRONIC_PORT (a free port unless set) for integration tests. Idempotent: re-run at will.
#
#   test/services/ironic/ironic-up.sh                      # noauth, one /usr/bin/ironic process, SQLite
#   IRONIC_MODE=split test/services/ironic/ironic-up.sh    # ironic-api + ironic-conductor (JSON-RPC)
#   IRONIC_AUTH=keystone test/services/ironic/ironic-up.sh # keystonemiddleware against $KEYSTONE_URL
#   IRONIC_RUNTIME=/tmp/other test/services/ironic/ironic-up.sh   # a second instance (own free port)
#   RESTART=1 test/services/ironic/ironic-up.sh            # stop + start even if up
#   test/services/ironic/ironic-down.sh [--purge]          # stop (and wipe the DB)
#
# Steps: apt-get install (only if a package is missing) -> write config ->
# ironic-dbsync (create_schema on an empty DB, upgrade otherwise) -> start ->
# wait until the API answers AND the conductor has registered fake-hardware.
# On success prints shell-sourceable lines (IRONIC_URL=..., ...) on stdout.
# All settings: see test/services/ironic/common.sh.
IRONIC_PICK_PORTS=1
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

RESTART="${RESTART:-0}"
START_TIMEOUT="${IRONIC_START_TIMEOUT:-180}"
PACKAGES=(ironic-api ironic-conductor python3-ironicclient)

case "$IRONIC_MODE" in split|single) ;; *) die "IRONIC_MODE must be split or single";; esac
case "$IRONIC_AUTH" in noauth|keystone) ;; *) die "IRONIC_AUTH must be noauth or keystone";; esac
[[ "$IRONIC_PORT" =~ ^[0-9]+$ && "$IRONIC_RPC_PORT" =~ ^[0-9]+$ ]] || die "ports must be numbers"
[ "$(id -u)" = 0 ] || [ -x /usr/bin/ironic-api ] || die "run as root (apt-get install needed)"

T_START=$(date +%s.%N)
elapsed() { "$PY" -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$1" "$(date +%s.%N)"; }

# ------------------------------------------------------------------ packages
install_packages() {
  local missing=() p st t0 guard=0
  for p in "${PACKAGES[@]}"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$st" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  t0=$(date +%s.%N)
  log "installing ${missing[*]} (Debian packages, --no-install-recommends)"
  export DEBIAN_FRONTEND=noninteractive
  # No dbconfig-common database, no Keystone endpoint registration, no RabbitMQ setup.
  debconf-set-selections <<'EOF'
ironic-common ironic/configure_db boolean false
ironic-api ironic/configure_api-endpoint boolean false
ironic-common ironic/configure_rabbit boolean false
EOF
  # The packages' postinst would start ironic-api/-conductor (and tftpd-hpa, xinetd)
  # with /etc/ironic/ironic.conf; forbid that while we install, unless a policy exists.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, test/services/ironic/ironic-up.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    guard=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  if ! apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >"$IRONIC_LOG_DIR/apt.log" 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q -o DPkg::Lock::Timeout=600 >>"$IRONIC_LOG_DIR/apt.log" 2>&1 || true
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >>"$IRONIC_LOG_DIR/apt.log" 2>&1 ||
      die "apt-get install failed, see $IRONIC_LOG_DIR/apt.log"
  fi
  if [ "$guard" = 1 ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  log "packages installed in $(elapsed "$t0")s"
}

# ------------------------------------------------------------------ keystone (optional)
ks_admin_password() {
  echo "${OS_ADMIN_PASSWORD:-}"
}

# Create (once) the service user Ironic's keystonemiddleware authenticates with:
# $IRONIC_KS_USER in project 'service' with roles admin + service. Plain Keystone
# v3 REST calls; only creates what is missing, never touches the catalog.
ensure_keystone_user() {
  local admin_pw tok
  [ -n "$KEYSTONE_URL" ] || die "keystone mode: set KEYSTONE_URL (e.g. the URL test/services/keystone.sh printed, with /v3)"
  curl -s -o /dev/null --max-time 5 "$KEYSTONE_URL" || die "Keystone not reachable at $KEYSTONE_URL"
  if [ -n "$(keystone_token "$IRONIC_KS_USER" "$IRONIC_KS_PASSWORD" service 2>/dev/null)" ]; then
    return 0
  fi
  admin_pw=$(ks_admin_password)
  [ -n "$admin_pw" ] || die "keystone mode: set OS_ADMIN_PASSWORD (admin of $KEYSTONE_URL) once to create user $IRONIC_KS_USER"
  tok=$(keystone_token "${OS_ADMIN_USER:-admin}" "$admin_pw" "${OS_ADMIN_PROJECT:-admin}") ||
    die "could not get an admin token from $KEYSTONE_URL"
  [ -n "$tok" ] || die "could not get an admin token from $KEYSTONE_URL"
  KS_TOKEN="$tok" KS_URL="$KEYSTONE_URL" U="$IRONIC_KS_USER" PW="$IRONIC_KS_PASSWORD" "$PY" - <<'PYEOF' || die "could not create the Keystone user"
import json, os, sys, urllib.request, urllib.error
url, tok = os.environ["KS_URL"], os.environ["KS_TOKEN"]
def call(m, p, body=None):
    req = urllib.request.Request(url + p, method=m, headers={"X-Auth-Token": tok, "Content-Type": "application/json"},
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=30) as r:
        d = r.read()
        return json.loads(d) if d else {}
def one(path, key, name, create):
    items = call("GET", "%s?name=%s" % (path, name))[key]
    items = [i for i in items if i.get("domain_id", "default") == "default"] or items
    return items[0] if items else call("POST", path, create)[key[:-1]]
project = one("/projects", "projects", "service", {"project": {"name": "service", "domain_id": "default"}})
users = call("GET", "/users?name=%s&domain_id=default" % os.environ["U"])["users"]
if users:
    # exists with another password (e.g. runtime dir wiped): reset it. NB Keystone
    # revokes tokens issued in the same second as a password change.
    user = users[0]
    call("PATCH", "/users/" + user["id"], {"user": {"password": os.environ["PW"]}})
else:
    user = call("POST", "/users", {"user": {"name": os.environ["U"], "domain_id": "default",
                                            "password": os.environ["PW"], "enabled": True}})["user"]
for r in ("admin", "service"):
    role = one("/roles", "roles", r, {"role": {"name": r}})
    call("PUT", "/projects/%s/users/%s/roles/%s" % (project["id"], user["id"], role["id"]))
print("[ironic] keystone user %s ready (project service, roles admin+service)" % os.environ["U"], file=sys.stderr)
PYEOF
}

# ------------------------------------------------------------------ config
write_conf() {
  local auth_block="" notifications_block=""
  if [ -n "$IRONIC_NOTIFICATIONS_URL" ]; then
    # Versioned notifications to RabbitMQ (a second [DEFAULT] section merges into the first).
    notifications_block="
[DEFAULT]
notification_level = info
control_exchange = $IRONIC_NOTIFICATIONS_EXCHANGE

[oslo_messaging_notifications]
driver = messagingv2
transport_url = $IRONIC_NOTIFICATIONS_URL
"
  fi
  if [ "$IRONIC_AUTH" = keystone ]; then
    auth_block="
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = $IRONIC_KS_USER
password = $IRONIC_KS_PASSWORD
user_domain_name = Default
project_name = service
project_domain_name = Default
"
  fi
  umask 077
  cat >"$IRONIC_CONF.new" <<EOF
# generated by test/services/ironic/ironic-up.sh (mode=$IRONIC_MODE auth=$IRONIC_AUTH); do not edit
[DEFAULT]
host = $IRONIC_HOST
my_ip = $IRONIC_HOST
auth_strategy = $IRONIC_AUTH
rpc_transport = $([ "$IRONIC_MODE" = split ] && echo json-rpc || echo none)
use_stderr = true
debug = $IRONIC_DEBUG
state_path = $IRONIC_RUNTIME/state
tempdir = $IRONIC_RUNTIME/tmp
enabled_hardware_types = fake-hardware
enabled_bios_interfaces = fake,no-bios
enabled_boot_interfaces = fake
enabled_console_interfaces = fake,no-console
enabled_deploy_interfaces = fake
enabled_inspect_interfaces = fake,no-inspect
enabled_management_interfaces = fake
enabled_network_interfaces = noop
enabled_power_interfaces = fake
enabled_raid_interfaces = fake,no-raid
enabled_rescue_interfaces = fake,no-rescue
enabled_storage_interfaces = noop,fake
enabled_vendor_interfaces = fake,no-vendor
default_network_interface = noop
default_deploy_interface = fake
default_boot_interface = fake
default_console_interface = fake

[api]
host_ip = $IRONIC_HOST
port = $IRONIC_PORT
api_workers = 1
max_limit = $IRONIC_MAX_LIMIT
# noauth requests are never system-scoped; with the default (true) Ironic refuses
# POST /v1/nodes with an 'owner' ("Cannot create a node as a project scoped admin
# with an owner other than your own project."). false = plain admin policy check.
project_admin_can_manage_own_nodes = false

[conductor]
automated_clean = false
# fake power: keep the periodic power sync cheap and quiet
sync_power_state_interval = 600
heartbeat_interval = 10

[database]
connection = $IRONIC_DB_URL

[dhcp]
dhcp_provider = none

[json_rpc]
auth_strategy = noauth
host_ip = $IRONIC_HOST
port = $IRONIC_RPC_PORT

[oslo_concurrency]
lock_path = $IRONIC_RUNTIME/lock

[fake]
# seconds ("N" or "MIN,MAX") the fake interfaces sleep while holding the node lock;
# >0 makes transitions observable (deploying, cleaning) and PATCH hit 409 NodeLocked
deploy_delay = $IRONIC_FAKE_DEPLOY_DELAY
power_delay = $IRONIC_FAKE_POWER_DELAY
boot_delay = $IRONIC_FAKE_BOOT_DELAY
$auth_block
$notifications_block
EOF
  umask 022
  if cmp -s "$IRONIC_CONF.new" "$IRONIC_CONF"; then rm -f "$IRONIC_CONF.new"; else mv "$IRONIC_CONF.new" "$IRONIC_CONF"; fi
}

# ------------------------------------------------------------------ processes
our_pids_alive() {
  if [ "$IRONIC_MODE" = split ]; then pid_alive "$API_PID" && pid_alive "$CONDUCTOR_PID"
  else pid_alive "$SINGLE_PID"; fi
}

stop_ours() { stop_pidfiles "$API_PID" "$CONDUCTOR_PID" "$SINGLE_PID"; }

dbsync() {
  local t0 v=None stamp
  t0=$(date +%s.%N)
  # Skip dbsync when this runtime dir's DB was already synced by the same Ironic
  # package (each ironic-dbsync call costs 3-5 s of imports).
  stamp="$(dpkg-query -W -f='${Version}' python3-ironic 2>/dev/null) $IRONIC_DB_URL"
  if [ -f "$IRONIC_RUNTIME/schema.stamp" ] && [ "$(cat "$IRONIC_RUNTIME/schema.stamp")" = "$stamp" ] &&
     { [[ "$IRONIC_DB_URL" != sqlite:///* ]] || [ -s "${IRONIC_DB_URL#sqlite:///}" ]; }; then
    return 0
  fi
  # a missing SQLite file is an empty DB: skip the version probe
  if [[ "$IRONIC_DB_URL" != sqlite:///* ]] || [ -s "${IRONIC_DB_URL#sqlite:///}" ]; then
    v=$(ironic-dbsync --config-file "$IRONIC_CONF" version 2>>"$IRONIC_LOG_DIR/dbsync.log" | tail -n1 || true)
  fi
  if [ -z "$v" ] || [ "$v" = None ]; then
    ironic-dbsync --config-file "$IRONIC_CONF" create_schema >>"$IRONIC_LOG_DIR/dbsync.log" 2>&1 ||
      die "ironic-dbsync create_schema failed, see $IRONIC_LOG_DIR/dbsync.log"
    log "schema created in $(elapsed "$t0")s"
  else
    ironic-dbsync --config-file "$IRONIC_CONF" upgrade >>"$IRONIC_LOG_DIR/dbsync.log" 2>&1 ||
      die "ironic-dbsync upgrade failed, see $IRONIC_LOG_DIR/dbsync.log"
    log "schema at $v, upgrade checked in $(elapsed "$t0")s"
  fi
  echo "$stamp" >"$IRONIC_RUNTIME/schema.stamp"
}

start_ours() {
  if [ "$IRONIC_MODE" = split ]; then
    start_bg "$CONDUCTOR_PID" "$IRONIC_LOG_DIR/conductor.log" /usr/bin/ironic-conductor --config-file "$IRONIC_CONF"
    start_bg "$API_PID" "$IRONIC_LOG_DIR/api.log" /usr/bin/ironic-api --config-file "$IRONIC_CONF"
  else
    start_bg "$SINGLE_PID" "$IRONIC_LOG_DIR/ironic.log" /usr/bin/ironic --config-file "$IRONIC_CONF"
  fi
}

# ready = API answers and the conductor registered fake-hardware (the driver list
# comes from the conductor's DB registration, so RPC is listening by then).
is_ready() {
  local out
  if ! out=$(IRONIC_TOKEN="${READY_TOKEN:-}" ir_curl GET /v1/drivers 2>/dev/null); then
    # keystone mode: a 401 means our probe token went stale; get a fresh one
    if [ "$IRONIC_AUTH" = keystone ] && grep -q '"code": 401\|401 Unauthorized\|Authentication required' <<<"$out"; then
      READY_TOKEN=$(keystone_token "$IRONIC_KS_USER" "$IRONIC_KS_PASSWORD" service || true)
    fi
    return 1
  fi
  grep -q '"fake-hardware"' <<<"$out"
}

wait_ready() {
  local deadline f
  deadline=$(( $(date +%s) + START_TIMEOUT ))
  while ! is_ready; do
    for f in "$API_PID" "$CONDUCTOR_PID" "$SINGLE_PID"; do
      if [ -e "$f" ] && ! pid_alive "$f"; then
        tail -n 30 "$IRONIC_LOG_DIR"/*.log >&2 || true
        die "$(basename "$f" .pid) exited during start-up, logs in $IRONIC_LOG_DIR"
      fi
    done
    [ "$(date +%s)" -lt "$deadline" ] || die "Ironic not ready within ${START_TIMEOUT}s, logs in $IRONIC_LOG_DIR"
    sleep 0.2
  done
}

rss_mb() {
  local total=0 pid kids k
  for f in "$API_PID" "$CONDUCTOR_PID" "$SINGLE_PID"; do
    pid_alive "$f" || continue
    pid=$(cat "$f")
    kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    for k in $pid $kids; do
      total=$(( total + $(awk '/^VmRSS:/{print $2}' "/proc/$k/status" 2>/dev/null || echo 0) ))
    done
  done
  echo $(( total / 1024 ))
}

# ------------------------------------------------------------------ main
if [ -e "$IRONIC_CONF" ] && ! grep -qs '^# generated by test/services/ironic/ironic-up.sh' "$IRONIC_CONF"; then
  die "$IRONIC_CONF was not written by this script (another stack's Ironic?); choose another IRONIC_RUNTIME"
fi
mkdir -p "$IRONIC_RUNTIME" "$IRONIC_LOG_DIR" "$IRONIC_RUNTIME/lock" "$IRONIC_RUNTIME/state" "$IRONIC_RUNTIME/tmp"
install_packages

if [ "$IRONIC_AUTH" = keystone ]; then
  if [ ! -s "$IRONIC_SECRETS" ]; then
    umask 077; echo "IRONIC_KS_PASSWORD=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$IRONIC_SECRETS"; umask 022
  fi
  # shellcheck disable=SC1090
  . "$IRONIC_SECRETS"
  IRONIC_KS_USER="${IRONIC_KS_USER:-ironic-ci}"
  IRONIC_KS_PASSWORD="${IRONIC_KS_PASSWORD_OVERRIDE:-$IRONIC_KS_PASSWORD}"
  ensure_keystone_user
  # a token for the readiness probe (the service user is an admin)
  READY_TOKEN=$(keystone_token "$IRONIC_KS_USER" "$IRONIC_KS_PASSWORD" service)
fi

write_conf

if our_pids_alive && port_open "$IRONIC_HOST" "$IRONIC_PORT"; then
  if [ "$RESTART" = 1 ] || [ "$IRONIC_CONF" -nt "$(if [ "$IRONIC_MODE" = split ]; then echo "$API_PID"; else echo "$SINGLE_PID"; fi)" ]; then
    log "config changed or RESTART=1: restarting"
    stop_ours
  else
    log "already running"
  fi
else
  stop_ours   # half-started leftovers (e.g. api up, conductor dead) of our own
fi

if ! our_pids_alive; then
  for port in "$IRONIC_PORT" $([ "$IRONIC_MODE" = split ] && echo "$IRONIC_RPC_PORT"); do
    port_open "$IRONIC_HOST" "$port" &&
      die "$IRONIC_HOST:$port is in use by a process these scripts did not start; not starting Ironic there (unset IRONIC_PORT/IRONIC_RPC_PORT or use another IRONIC_RUNTIME)"
  done
  dbsync
  T_LAUNCH=$(date +%s.%N)
  log "starting Ironic ($IRONIC_MODE, $IRONIC_AUTH) on $IRONIC_URL"
  start_ours
  wait_ready
  log "Ironic ready $(elapsed "$T_LAUNCH")s after launch (script total $(elapsed "$T_START")s), RSS $(rss_mb) MiB"
else
  wait_ready
fi

printf 'IRONIC_PORT=%s\nIRONIC_RPC_PORT=%s\nIRONIC_MODE=%s\nIRONIC_AUTH=%s\nIRONIC_DB_URL=%s\nIRONIC_MAX_LIMIT=%s\n' \
  "$IRONIC_PORT" "$IRONIC_RPC_PORT" "$IRONIC_MODE" "$IRONIC_AUTH" "$IRONIC_DB_URL" "$IRONIC_MAX_LIMIT" >"$IRONIC_RUNTIME/instance.env"

cat <<EOF
IRONIC_URL=$IRONIC_URL
IRONIC_API_VERSION=$IRONIC_API_VERSION
IRONIC_AUTH=$IRONIC_AUTH
IRONIC_MODE=$IRONIC_MODE
IRONIC_RUNTIME=$IRONIC_RUNTIME
EOF
