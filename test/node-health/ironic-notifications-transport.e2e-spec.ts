import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import amqplib, { Channel, ChannelModel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { firstValueFrom } from 'rxjs';
import { filter } from 'rxjs/operators';
import { IronicNodeNotification } from '../../src/node-health/consumer/ironic-notification';
import { IronicNotificationsServer } from '../../src/node-health/consumer/ironic-notifications.server';
import { IronicNotificationsSettings } from '../../src/node-health/consumer/ironic-notifications.settings';
import { parseRabbitTransportUrl } from '../../src/notifications/transport-url';
import { recorded, rewritten } from './recorded-notifications';

const RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/';
const TOPIC = 'ironic_versioned_notifications';

/** What the stand-in handler does with each notification; tests replace it. */
let behaviour: (n: IronicNodeNotification) => Promise<void> = async () => undefined;
const handled: IronicNodeNotification[] = [];

/** A stand-in for the node health handler: the transport is under test, not the effects. */
@Controller()
class ProbeController {
  @EventPattern('baremetal.node.maintenance_set.end')
  async onMaintenance(@Payload() notification: IronicNodeNotification): Promise<void> {
    await behaviour(notification);
    handled.push(notification);
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

/**
 * The Ironic notification transport against the real RabbitMQ, with a stand-in handler:
 * declarations, acknowledgement only after the handler succeeded, retries, and messages that
 * wait in the durable queue while no consumer runs.
 */
describe('IronicNotificationsServer (RabbitMQ)', () => {
  const suffix = randomBytes(4).toString('hex');
  const exchange = `ironic-transport-${suffix}`;
  const queue = `esi_leap_node_health_${suffix}`;
  const settings: IronicNotificationsSettings = {
    brokers: parseRabbitTransportUrl(RABBIT, 'test', false),
    tls: null,
    exchange,
    exchangeDurable: false,
    routingKeys: [`${TOPIC}.info`, `${TOPIC}.error`],
    queue,
    prefetch: 4,
    heartbeatSeconds: 5,
    reconnectSeconds: 1,
  };
  let connection: ChannelModel;
  let channel: Channel;
  let consumer: INestMicroservice | null = null;

  async function startConsumer(): Promise<void> {
    const server = new IronicNotificationsServer(settings);
    consumer = await NestFactory.createMicroservice(ProbeModule, { strategy: server, logger: false });
    await consumer.listen();
    await firstValueFrom(server.status.pipe(filter((s) => s === 'connected')));
  }

  async function stopConsumer(): Promise<void> {
    await consumer?.close();
    consumer = null;
  }

  const maintenanceOn = (uuid: string) =>
    rewritten(recorded('maintenance_set.end on'), { uuid }, { message_id: `m-${uuid}` });

  async function publish(body: string, key = `${TOPIC}.info`): Promise<void> {
    channel.publish(exchange, key, Buffer.from(body), { contentType: 'application/json', deliveryMode: 2 });
    await new Promise((resolve) => setImmediate(resolve));
  }

  async function waitFor(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await ok())) {
      if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const waiting = async () => (await channel.checkQueue(queue)).messageCount;

  beforeAll(async () => {
    connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672/');
    channel = await connection.createChannel();
  });

  afterAll(async () => {
    await stopConsumer();
    await channel.deleteQueue(queue).catch(() => undefined);
    await channel.deleteExchange(exchange).catch(() => undefined);
    await connection.close();
  });

  beforeEach(() => {
    handled.length = 0;
    behaviour = async () => undefined;
  });

  it('declares the exchange as oslo would and its own durable queue, then hands each node event to its handler', async () => {
    await startConsumer();
    // The queue exists durable: an equivalent declaration is accepted, another one would close the channel.
    await expect(channel.assertQueue(queue, { durable: true })).resolves.toMatchObject({ queue, consumerCount: 1 });
    await expect(channel.checkExchange(exchange)).resolves.toBeDefined();
    await publish(maintenanceOn('node-a'));
    await waitFor('handled', () => handled.length === 1);
    expect(handled[0]).toMatchObject({
      eventType: 'baremetal.node.maintenance_set.end',
      nodeUuid: 'node-a',
      messageId: 'm-node-a',
      reading: { maintenance: true, maintenanceReason: 'disk replacement' },
    });
    await waitFor('acknowledged', async () => (await waiting()) === 0);
  });

  it('consumes the error priority too', async () => {
    await publish(maintenanceOn('node-err'), `${TOPIC}.error`);
    await waitFor('handled', () => handled.some((n) => n.nodeUuid === 'node-err'));
  });

  it('acknowledges unreadable messages and events without a handler, and carries on', async () => {
    behaviour = async () => undefined;
    await publish('{"oslo.version": "2.0", "oslo.message": "{not json');
    await publish(rewritten(recorded('delete.end'), { uuid: 'node-del' }));
    await publish(maintenanceOn('node-b'));
    await waitFor('handled', () => handled.some((n) => n.nodeUuid === 'node-b'));
    expect(handled.map((n) => n.nodeUuid)).toEqual(['node-b']);
    await waitFor('all acknowledged', async () => (await waiting()) === 0);
  });

  it('retries a failing handler with the message unacknowledged, and acknowledges once it succeeds', async () => {
    let attempts = 0;
    behaviour = async () => {
      attempts++;
      if (attempts < 3) throw new Error('database unavailable');
    };
    await publish(maintenanceOn('node-c'));
    await waitFor('handled after retries', () => handled.length === 1);
    expect(attempts).toBe(3);
    await waitFor('acknowledged', async () => (await waiting()) === 0);
  });

  it('leaves a message whose handler has not succeeded in the queue when the consumer stops', async () => {
    let calls = 0;
    behaviour = async () => {
      calls++;
      throw new Error('database unavailable');
    };
    await publish(maintenanceOn('node-d'));
    await waitFor('tried', () => calls > 0);
    await stopConsumer();
    expect(await waiting()).toBe(1);
    expect(handled).toEqual([]);

    behaviour = async () => undefined;
    await startConsumer();
    await waitFor('handled after the restart', () => handled.length === 1);
    expect(handled[0].nodeUuid).toBe('node-d');
    await waitFor('acknowledged', async () => (await waiting()) === 0);
  });

  it('keeps what arrives while no consumer runs, and handles it in order at the next start', async () => {
    await stopConsumer();
    for (const uuid of ['node-1', 'node-2', 'node-3']) await publish(maintenanceOn(uuid));
    await waitFor('queued', async () => (await waiting()) === 3);
    await startConsumer();
    await waitFor('handled', () => handled.length === 3);
    expect(handled.map((n) => n.nodeUuid)).toEqual(['node-1', 'node-2', 'node-3']);
    await waitFor('acknowledged', async () => (await waiting()) === 0);
  });
});
