import { readFileSync } from 'node:fs';

const LISTEN_STATE = '0A';

/**
 * How many connections the kernel has completed on a listening TCP port that no process has
 * accepted yet: the `rx_queue` of its LISTEN rows in /proc/net/tcp and /proc/net/tcp6. Closing
 * the listening socket resets those connections, whose clients have already sent their request.
 * Null where there is no /proc (not Linux).
 */
export function acceptQueueLength(port: number): number | null {
  let readable = false;
  let waiting = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    readable = true;
    for (const row of table.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue …, addresses as hex IP:port
      const [, local, , state, queues] = row.trim().split(/\s+/);
      if (state !== LISTEN_STATE || parseInt(local.split(':')[1], 16) !== port) continue;
      waiting += parseInt(queues.split(':')[1], 16);
    }
  }
  return readable ? waiting : null;
}
