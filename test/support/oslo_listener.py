#!/usr/bin/env python3
"""A real oslo.messaging notification listener, to prove what esi-leap publishes is accepted.

Usage: oslo_listener.py TRANSPORT_URL EXCHANGE TOPIC

Consumes TOPIC.<priority> on EXCHANGE (the queue the publisher declares, as a listener without a
pool does) and prints one JSON line per decoded notification on stdout; "READY" once started.
Stops on SIGTERM or when stdin closes.
"""
import json
import signal
import sys
import threading

from oslo_config import cfg
import oslo_messaging


class Endpoint:
    def _print(self, priority, ctxt, publisher_id, event_type, payload, metadata):
        line = {
            'priority': priority,
            'publisher_id': publisher_id,
            'event_type': event_type,
            'payload': payload,
            'message_id': metadata.get('message_id'),
            'timestamp': metadata.get('timestamp'),
            'context': ctxt,
        }
        sys.stdout.write(json.dumps(line, default=str) + '\n')
        sys.stdout.flush()
        return oslo_messaging.NotificationResult.HANDLED

    def __getattr__(self, priority):
        if priority not in ('audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample'):
            raise AttributeError(priority)
        return lambda *args: self._print(priority, *args)


def main():
    url, exchange, topic = sys.argv[1:4]
    conf = cfg.ConfigOpts()
    conf([], project='oslo_listener')
    transport = oslo_messaging.get_notification_transport(conf, url=url)
    targets = [oslo_messaging.Target(exchange=exchange, topic=topic)]
    listener = oslo_messaging.get_notification_listener(
        transport, targets, [Endpoint()], executor='threading')
    listener.start()
    sys.stdout.write('READY\n')
    sys.stdout.flush()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    listener.stop()
    listener.wait()
    transport.cleanup()


if __name__ == '__main__':
    main()
