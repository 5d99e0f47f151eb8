#!/bin/sh
# HAProxy external check for one Galera node (test/services/galera.sh installs it):
# HAProxy runs it with <proxy addr> <proxy port> <server addr> <server port>; exit 0 = healthy.
#
# A node that accepts connections is not necessarily usable: while it joins (IST/SST), while it
# donates by a blocking method, or when it has lost quorum (non-Primary component), queries fail
# with errno 1047 or could read stale data. So the check reads the node's Galera state: healthy
# only when it is Synced (wsrep_local_state 4) in the Primary component. A donor (2) also counts
# when its SST method leaves it writable (mariabackup), like clustercheck's AVAILABLE_WHEN_DONOR.
# The user needs no privileges; the check itself never waits for replication (wsrep_sync_wait=0),
# so a busy node is not taken for a dead one.
out=$(mariadb --no-defaults --connect-timeout=2 -h "$3" -P "$4" -u esi_leap_check -N -B -e "
  SET SESSION wsrep_sync_wait = 0;
  SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_state', 'wsrep_cluster_status');
  SHOW GLOBAL VARIABLES LIKE 'wsrep_sst_method';" 2>/dev/null) || exit 1
value() { printf '%s\n' "$out" | awk -v name="$1" '$1 == name { print $2 }'; }
[ "$(value wsrep_cluster_status)" = Primary ] || exit 1
case "$(value wsrep_local_state):$(value wsrep_sst_method)" in
  4:*) exit 0 ;;
  2:mariabackup) exit 0 ;;
  *) exit 1 ;;
esac
