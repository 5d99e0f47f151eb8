#!/usr/bin/env bash
# Starts the local MariaDB and RabbitMQ if they are not answering (no systemd here), and
# waits until they do. Tests create and drop their own databases.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local name=$1 port=$2 tries=$3
  for _ in $(seq "$tries"); do
    if port_open "$port"; then echo "$name is up on 127.0.0.1:$port"; return 0; fi
    sleep 1
  done
  echo "$name did not come up on 127.0.0.1:$port" >&2
  return 1
}

if ! port_open 3306; then
  echo "starting MariaDB"
  if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB 3306 60
mariadb -uroot -e 'SELECT 1' >/dev/null

if ! port_open 5672; then
  echo "starting RabbitMQ"
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  rabbitmq-server -detached
fi
wait_for RabbitMQ 5672 90

# The notification tests run a real oslo.messaging listener from Debian's package.
if ! /usr/bin/python3 -c 'import oslo_messaging' 2>/dev/null; then
  echo "installing python3-oslo.messaging"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-oslo.messaging >/dev/null
fi
