import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../config/config-error';
import { loadConfig } from '../config/config-loader';
import { notifierSettings } from './notifier-settings';

function settingsFor(conf: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'esi-leap-notifier-'));
  try {
    const file = path.join(dir, 'esi-leap.conf');
    writeFileSync(file, `[DEFAULT]\nhost = host-1\n${conf}\n`);
    return notifierSettings(loadConfig({ configFiles: [file], env: {}, homeDir: dir, cwd: dir }).config);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('notifierSettings', () => {
  it('is off without a bus driver: nothing to connect to', () => {
    expect(settingsFor('').enabled).toBe(false);
    expect(settingsFor('[oslo_messaging_notifications]\ndriver = noop').enabled).toBe(false);
  });

  it('defaults: openstack exchange, esi-leap topic, non-durable, no queue arguments, transport from [DEFAULT]', () => {
    const s = settingsFor('[DEFAULT]\ntransport_url = rabbit://u:p@mq:5672/esi\n[oslo_messaging_notifications]\ndriver = messagingv2');
    expect(s).toMatchObject({
      enabled: true,
      formats: ['messagingv2'],
      exchange: 'openstack',
      topics: ['esi_leap_versioned_notifications'],
      durable: false,
      autoDelete: false,
      queueArguments: {},
      retry: -1,
      publisherId: 'esi-leap-manager.host-1',
    });
    expect(s.brokers.map((b) => b.url)).toEqual(['amqp://u:p@mq:5672/esi']);
  });

  it('[oslo_messaging_notifications] transport_url wins; quorum queues are durable with their limits', () => {
    const s = settingsFor(
      [
        '[DEFAULT]',
        'transport_url = rabbit://a:a@rpc/',
        'control_exchange = shared',
        '[oslo_messaging_notifications]',
        'driver = messagingv2',
        'transport_url = rabbit://n:n@notify/',
        '[oslo_messaging_rabbit]',
        'rabbit_quorum_queue = true',
        'rabbit_quorum_delivery_limit = 3',
      ].join('\n'),
    );
    expect(s.brokers.map((b) => b.url)).toEqual(['amqp://n:n@notify:5672/%2F']);
    expect(s.exchange).toBe('shared');
    expect(s.durable).toBe(true);
    expect(s.queueArguments).toEqual({ 'x-queue-type': 'quorum', 'x-delivery-limit': 3 });
  });

  it('HA queues get x-ha-policy; HA and quorum together are refused like oslo does', () => {
    const on = '[oslo_messaging_notifications]\ndriver = messagingv2\n[oslo_messaging_rabbit]\nrabbit_ha_queues = true';
    expect(settingsFor(on).queueArguments).toEqual({ 'x-ha-policy': 'all' });
    expect(() => settingsFor(`${on}\nrabbit_quorum_queue = true`)).toThrow(ConfigError);
  });

  it('rejects an unknown driver and a non-rabbit transport', () => {
    expect(() => settingsFor('[oslo_messaging_notifications]\ndriver = carrier-pigeon')).toThrow(ConfigError);
    expect(() => settingsFor('[oslo_messaging_notifications]\ndriver = messaging\ntransport_url = kafka://k:9092')).toThrow(ConfigError);
  });
});
