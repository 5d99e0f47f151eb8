#!/usr/bin/env bash
# A three-node MariaDB Galera cluster on loopback, with HAProxy in front, for esi-leap's Galera
# runs: galera.sh start|stop|status|kill N.
#
# Debian's galera-4 with the installed MariaDB (mariadbd started directly, no systemd), three
# datadirs under $STATE, every port a free loopback port picked on the first start and kept in
# $STATE/ports.env. The system MariaDB on 3306 is never touched.
#
#   start   idempotent: a Synced cluster is reused; missing nodes are started as joiners (IST or
#           SST); with no node running the one that may bootstrap (grastate.dat
#           safe_to_bootstrap, else the highest recovered seqno) starts a new cluster
#           (--wsrep-new-cluster) and the others join. Waits until every node reports
#           wsrep_cluster_size = 3 and Synced, then (re)starts HAProxy and waits until it sees
#           every node up. Prints shell-sourceable connection URLs (also in $STATE/cluster.env).
#   stop    stops HAProxy, then the nodes one by one (3, 2, 1), so node 1 leaves last and may
#           bootstrap the next start. Only processes started from $STATE are signalled.
#   status  each node's Galera state and each HAProxy server's state; exit 0 when all is up.
#   kill N  SIGKILLs node N (fault injection; "start" brings it back).
#   stop --purge  also deletes $STATE.
#
# HAProxy listeners (all 127.0.0.1, in cluster.env):
#   GALERA_ONE_WRITER_URL     node 1 takes every connection, nodes 2 and 3 are backups
#   GALERA_ALL_WRITERS_URL    round-robin over the three nodes
#   GALERA_NODE<i>_FIRST_URL  all writers, one node per client: node i first, the others backups
# Health: test/services/galera/wsrep-check.sh (Synced and Primary) every second on the
# round-robin backend; the other listeners track those results.
#
# Environment (defaults):
#   ESI_LEAP_GALERA_STATE=/tmp/esi-leap-galera   datadirs, configs, logs, pid files
#   ESI_LEAP_GALERA_SST=mariabackup              or rsync (the donor is blocked meanwhile)
#   ESI_LEAP_GALERA_SYNC_WAIT=1                  wsrep_sync_wait of every node (causal reads)
#   ESI_LEAP_GALERA_START_TIMEOUT=300            seconds to wait for a Synced cluster
#
# Times measured on the 2-core test machine (busy with other work):
#   first install  ~32 s (apt-get haproxy + mariadb-backup 4-5 s from the Debian mirror, galera-4
#                  comes with mariadb-server; datadir 1 s; bootstrap + two mariabackup SSTs ~26 s)
#   warm start     9-14 s (stopped cluster: node 1 bootstraps, 2 and 3 rejoin without transfer)
#   start when up  ~1 s; a killed node back by IST: 8-20 s
set -euo pipefail

STATE=${ESI_LEAP_GALERA_STATE:-/tmp/esi-leap-galera}
SST_METHOD=${ESI_LEAP_GALERA_SST:-mariabackup}
SYNC_WAIT=${ESI_LEAP_GALERA_SYNC_WAIT:-1}
START_TIMEOUT=${ESI_LEAP_GALERA_START_TIMEOUT:-300}
HERE=$(cd "$(dirname "$0")" && pwd)
CHECK_SCRIPT="$HERE/galera/wsrep-check.sh"
MARIADBD=/usr/sbin/mariadbd
PROVIDER=/usr/lib/galera/libgalera_smm.so
NODES=(1 2 3)
CHECK_USER=esi_leap_check   # also in wsrep-check.sh

log() { printf 'galera.sh %s: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

case "$SST_METHOD" in mariabackup|rsync) ;; *) die "ESI_LEAP_GALERA_SST must be mariabackup or rsync" ;; esac

# ------------------------------------------------------------------ packages
install_packages() {
  local wanted=(galera-4 mariadb-server haproxy socat) missing=() p t0 guard=0
  if [ "$SST_METHOD" = mariabackup ]; then wanted+=(mariadb-backup); else wanted+=(rsync); fi
  for p in "${wanted[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" = "install ok installed" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  t0=$(now)
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The packages' postinst scripts would start the system haproxy (and MariaDB); not here.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, test/services/galera.sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    guard=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  if ! apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >"$STATE/apt.log" 2>&1; then
    apt-get update -q -o DPkg::Lock::Timeout=600 >>"$STATE/apt.log" 2>&1 || true
    apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >>"$STATE/apt.log" 2>&1 ||
      die "apt-get install failed, see $STATE/apt.log"
  fi
  if [ "$guard" = 1 ]; then rm -f /usr/sbin/policy-rc.d; trap - EXIT; fi
  log "packages installed in $(since "$t0") s"
}

# ------------------------------------------------------------------ ports
# Per node: client, group communication, IST, SST; then the HAProxy listeners.
PORT_NAMES=(NODE1_PORT NODE1_GCOMM NODE1_IST NODE1_SST NODE2_PORT NODE2_GCOMM NODE2_IST NODE2_SST
  NODE3_PORT NODE3_GCOMM NODE3_IST NODE3_SST ONE_WRITER_PORT ALL_WRITERS_PORT
  NODE1_FIRST_PORT NODE2_FIRST_PORT NODE3_FIRST_PORT)

pick_ports() {
  local ports i=0 p
  # Bound all at once, so the kernel hands out distinct ports.
  ports=$(/usr/bin/python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "${#PORT_NAMES[@]}")
  : >"$STATE/ports.env.new"
  for p in $ports; do echo "${PORT_NAMES[$i]}=$p" >>"$STATE/ports.env.new"; i=$((i + 1)); done
  mv "$STATE/ports.env.new" "$STATE/ports.env"
}

load_ports() {
  # shellcheck disable=SC1091
  . "$STATE/ports.env"
}

# With nothing of ours running, every saved port must be free; otherwise pick new ones.
ensure_ports() {
  local name
  if [ -s "$STATE/ports.env" ]; then
    load_ports
    anything_running && return 0
    for name in "${PORT_NAMES[@]}"; do
      if port_open "${!name}"; then
        log "port ${!name} ($name) is taken by another process; picking new ports"
        pick_ports
        break
      fi
    done
  else
    pick_ports
  fi
  load_ports
}

# nv I NAME: node I's port NAME (PORT, GCOMM, IST, SST, FIRST_PORT) from ports.env.
nv() { local v="NODE$1_$2"; echo "${!v}"; }

# ------------------------------------------------------------------ nodes
node_dir() { echo "$STATE/node$1"; }
node_sock() { echo "$STATE/node$1/mysqld.sock"; }

node_pid() {
  local f pid
  f="$(node_dir "$1")/mariadbd.pid"
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null || return 1
  # Only a mariadbd started with this node's config counts (never the system server).
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--defaults-file=$(node_dir "$1")/my.cnf" || return 1
  echo "$pid"
}

node_sql() {
  mariadb --no-defaults -uroot -S "$(node_sock "$1")" --connect-timeout=2 -N -B -e "$2" 2>/dev/null
}

node_var() {
  node_sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" | awk '{ print $2 }'
}

anything_running() {
  local i
  for i in "${NODES[@]}"; do node_pid "$i" >/dev/null && return 0; done
  haproxy_pid >/dev/null
}

write_node_conf() {
  local i=$1 dir addresses="" j
  dir=$(node_dir "$i")
  for j in "${NODES[@]}"; do addresses+="${addresses:+,}127.0.0.1:$(nv "$j" GCOMM)"; done
  mkdir -p "$dir/data" "$dir/tmp"
  cat >"$dir/my.cnf" <<CNF
# generated by test/services/galera.sh; rewritten on every start
[mysqld]
user = root
datadir = $dir/data
tmpdir = $dir/tmp
socket = $dir/mysqld.sock
pid-file = $dir/mariadbd.pid
log-error = $dir/error.log
port = $(nv "$i" PORT)
bind-address = 127.0.0.1
skip-name-resolve
performance_schema = OFF
max_connections = 500
innodb_buffer_pool_size = 64M
innodb_log_file_size = 48M
# Durability comes from the cluster: a commit is on every node before it is acknowledged;
# a single node's crash loses at most its last second, which IST or SST restores.
innodb_flush_log_at_trx_commit = 2

# What Galera needs: row-based write sets, interleaved auto-increment locks (no table-level
# AUTO-INC lock a write set applied in parallel could deadlock on), InnoDB only, and a primary
# key on every table (refused here, so a migration without one fails loudly).
binlog_format = ROW
innodb_autoinc_lock_mode = 2
default_storage_engine = InnoDB
innodb_force_primary_key = ON

wsrep_on = ON
wsrep_provider = $PROVIDER
wsrep_cluster_name = esi-leap-test
wsrep_cluster_address = gcomm://$addresses
wsrep_node_name = node$i
wsrep_node_address = 127.0.0.1:$(nv "$i" GCOMM)
wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:$(nv "$i" GCOMM);ist.recv_addr=127.0.0.1:$(nv "$i" IST);gcache.size=64M"
wsrep_sst_method = $SST_METHOD
wsrep_sst_auth = root:
wsrep_sst_receive_address = 127.0.0.1:$(nv "$i" SST)
wsrep_slave_threads = 2
# Reads (SELECT, BEGIN) wait until this node has applied every write set the cluster had
# ordered when they started: a read on one node sees a write committed on another.
wsrep_sync_wait = $SYNC_WAIT

[sst]
sst-log-archive-dir = $dir/sst-log-archive
CNF
}

# The position a crashed node's InnoDB holds ("uuid:seqno"), by mariadbd --wsrep-recover.
recovered_position() {
  local dir
  dir=$(node_dir "$1")
  rm -f "$dir/recover.log"
  "$MARIADBD" --defaults-file="$dir/my.cnf" --wsrep-recover --log-error="$dir/recover.log" >/dev/null 2>&1 || true
  sed -n 's/.*WSREP: Recovered position: \([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$dir/recover.log" | tail -1
}

# start_node I [--wsrep-new-cluster]. After a crash grastate.dat says seqno -1; the position is
# then recovered first and passed on, as Debian's galera_recovery does under systemd, so the
# node asks for the missing write sets only (IST) instead of a full copy (SST).
start_node() {
  local i=$1 extra=${2:-} dir position
  dir=$(node_dir "$i")
  if grep -qs '^seqno: *-1' "$dir/data/grastate.dat" && [ -d "$dir/data/mysql" ]; then
    position=$(recovered_position "$i")
    log "node $i crashed earlier; recovered position ${position:-unknown}"
    [ -n "$position" ] && extra+=" --wsrep-start-position=$position"
  fi
  log "starting node $i${extra:+ ($extra)} on 127.0.0.1:$(nv "$i" PORT)"
  # shellcheck disable=SC2086
  setsid "$MARIADBD" --defaults-file="$dir/my.cnf" $extra >>"$dir/mariadbd.out" 2>&1 </dev/null &
  STARTED[$i]=$!
}

stop_node() {
  local i=$1 pid
  pid=$(node_pid "$i") || return 0
  log "stopping node $i (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 240); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.25
  done
  log "node $i did not stop within 60 s; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# Which node may start a new cluster: the one Galera marked safe_to_bootstrap (the last to
# leave a clean shutdown); after a crash of all nodes none is, so the most advanced one
# (highest seqno recovered from InnoDB) is marked by hand, as an operator would.
bootstrap_node() {
  local i best=1 best_seqno=-2 seqno grastate
  for i in "${NODES[@]}"; do
    grep -qs '^safe_to_bootstrap: 1' "$(node_dir "$i")/data/grastate.dat" && { echo "$i"; return; }
  done
  for i in "${NODES[@]}"; do
    [ -d "$(node_dir "$i")/data/mysql" ] || continue
    seqno=$(recovered_position "$i")
    seqno=${seqno##*:}
    log "node $i recovered seqno ${seqno:-unknown}"
    if [ -n "$seqno" ] && [ "$seqno" -gt "$best_seqno" ]; then best=$i; best_seqno=$seqno; fi
  done
  grastate="$(node_dir "$best")/data/grastate.dat"
  [ -f "$grastate" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$grastate"
  echo "$best"
}

cluster_ready() {
  local i
  for i in "${NODES[@]}"; do
    [ "$(node_var "$i" wsrep_cluster_size)" = 3 ] || return 1
    [ "$(node_var "$i" wsrep_local_state_comment)" = Synced ] || return 1
  done
}

# Launcher pids of the nodes this run started (mariadbd runs in the foreground of its pid).
declare -A STARTED=()

# wait_for WHAT CMD... : until CMD succeeds; fails when a node this run started has exited.
wait_for() {
  local what=$1 deadline i
  shift
  deadline=$(($(date +%s) + START_TIMEOUT))
  until "$@"; do
    for i in "${NODES[@]}"; do
      if [ -n "${STARTED[$i]:-}" ] && ! kill -0 "${STARTED[$i]}" 2>/dev/null; then
        tail -n 30 "$(node_dir "$i")/error.log" >&2 || true
        die "node $i exited while waiting for $what; see $(node_dir "$i")/error.log"
      fi
    done
    [ "$(date +%s)" -lt "$deadline" ] || die "no $what within ${START_TIMEOUT} s; logs in $STATE/node*/error.log"
    sleep 0.5
  done
}

node_synced() { [ "$(node_var "$1" wsrep_local_state_comment)" = Synced ]; }

start_cluster() {
  local i boot running=0 t0
  for i in "${NODES[@]}"; do node_pid "$i" >/dev/null && running=$((running + 1)); done
  if [ "$running" = 0 ]; then
    for i in "${NODES[@]}"; do write_node_conf "$i"; done
    if [ ! -d "$(node_dir 1)/data/mysql" ] && [ ! -f "$(node_dir 1)/data/grastate.dat" ]; then
      t0=$(now)
      mariadb-install-db --no-defaults --datadir="$(node_dir 1)/data" --user=root \
        --auth-root-authentication-method=normal --skip-test-db >"$(node_dir 1)/install-db.log" 2>&1 ||
        die "mariadb-install-db failed, see $(node_dir 1)/install-db.log"
      log "node 1 datadir created in $(since "$t0") s"
      boot=1
    else
      boot=$(bootstrap_node)
    fi
    start_node "$boot" --wsrep-new-cluster
    wait_for "Synced bootstrap node $boot" node_synced "$boot"
  fi
  for i in "${NODES[@]}"; do
    node_pid "$i" >/dev/null && continue
    write_node_conf "$i"
    start_node "$i"
  done
  wait_for "cluster of 3 Synced nodes" cluster_ready
  # The health check's user: no privileges, SHOW STATUS needs none. Replicated to every node.
  node_sql 1 "CREATE USER IF NOT EXISTS '$CHECK_USER'@'127.0.0.1'" || die "could not create the health-check user"
}

# ------------------------------------------------------------------ HAProxy
# shellcheck source=galera/haproxy.sh
. "$HERE/galera/haproxy.sh"

# ------------------------------------------------------------------ commands
write_cluster_env() {
  local i
  {
    echo "GALERA_STATE=$STATE"
    for i in "${NODES[@]}"; do
      echo "GALERA_NODE${i}_URL=mysql+pymysql://root@127.0.0.1:$(nv "$i" PORT)"
      echo "GALERA_NODE${i}_SOCKET=$(node_sock "$i")"
    done
    echo "GALERA_ONE_WRITER_URL=mysql+pymysql://root@127.0.0.1:$ONE_WRITER_PORT"
    echo "GALERA_ALL_WRITERS_URL=mysql+pymysql://root@127.0.0.1:$ALL_WRITERS_PORT"
    for i in "${NODES[@]}"; do
      echo "GALERA_NODE${i}_FIRST_URL=mysql+pymysql://root@127.0.0.1:$(nv "$i" FIRST_PORT)"
    done
  } >"$STATE/cluster.env"
}

start() {
  local t0
  t0=$(now)
  mkdir -p "$STATE"
  install_packages
  [ -x "$MARIADBD" ] && [ -e "$PROVIDER" ] || die "$MARIADBD or $PROVIDER missing"
  ensure_ports
  start_cluster
  start_haproxy
  wait_for "HAProxy seeing every node up" haproxy_all_up
  write_cluster_env
  log "cluster of 3 Synced, HAProxy up, in $(since "$t0") s; URLs in $STATE/cluster.env"
  cat "$STATE/cluster.env"
}

stop() {
  local i
  [ -s "$STATE/ports.env" ] && load_ports
  stop_haproxy
  for i in 3 2 1; do stop_node "$i"; done
  if [ "${1:-}" = --purge ]; then
    if [ -d "$STATE" ] && grep -qs 'generated by test/services/galera.sh' "$STATE/node1/my.cnf"; then
      rm -rf "$STATE"
      log "removed $STATE"
    elif [ -d "$STATE" ]; then
      log "$STATE does not look like a galera.sh state dir; not deleting it"
    fi
  fi
  log "stopped"
}

status() {
  local i pid ok=0 any=0 out
  [ -s "$STATE/ports.env" ] || { echo "stopped (no state in $STATE)"; return 3; }
  load_ports
  for i in "${NODES[@]}"; do
    if pid=$(node_pid "$i"); then
      any=1
      out=$(node_sql "$i" "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_state_comment', 'wsrep_cluster_status', 'wsrep_last_committed')" |
        awk '{ sub(/^wsrep_/, "", $1); printf "%s=%s ", $1, $2 }')
      echo "node$i 127.0.0.1:$(nv "$i" PORT) pid $pid: ${out:-not answering}"
      grep -q 'cluster_size=3 ' <<<"$out" && grep -q 'local_state_comment=Synced' <<<"$out" || ok=1
    else
      echo "node$i 127.0.0.1:$(nv "$i" PORT): stopped"
      ok=1
    fi
  done
  if pid=$(haproxy_pid); then
    any=1
    echo "haproxy pid $pid: one writer 127.0.0.1:$ONE_WRITER_PORT, all writers 127.0.0.1:$ALL_WRITERS_PORT, node-first $NODE1_FIRST_PORT/$NODE2_FIRST_PORT/$NODE3_FIRST_PORT"
    haproxy_servers | awk '{ printf "  %-12s %-6s %s\n", $1, $2, $3 }'
    haproxy_all_up || ok=1
  else
    echo "haproxy: stopped"
    ok=1
  fi
  [ "$any" = 1 ] || return 3
  return "$ok"
}

kill_node() {
  local i=${1:-} pid
  [[ "$i" =~ ^[123]$ ]] || die "usage: $0 kill 1|2|3"
  load_ports
  pid=$(node_pid "$i") || die "node $i is not running"
  kill -KILL "$pid"
  log "node $i (pid $pid) SIGKILLed"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  status) status ;;
  kill) kill_node "${2:-}" ;;
  *)
    echo "usage: $0 start|stop [--purge]|status|kill N" >&2
    exit 2
    ;;
esac
