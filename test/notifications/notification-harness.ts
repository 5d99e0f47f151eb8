import { ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import * as path from 'node:path';
import amqp, { AmqpConnectionManager } from 'amqp-connection-manager';
import * as amqplib from 'amqplib';
import { ManualClock } from '../../src/common/clock';
import { UtcTime } from '../../src/common/time';
import { TestDatabaseKind } from '../helpers/test-databases';
import { createTestApp, TestApp } from '../support/test-app';

export const RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/';
const PYTHON = '/usr/bin/python3';
const LISTENER = path.join(__dirname, '..', 'support', 'oslo_listener.py');

/** RabbitMQ on 127.0.0.1:5672 and a Debian oslo.messaging for the listener; installed/started when missing. */
export async function ensureBrokerAndOslo(): Promise<void> {
  if (!(await brokerAnswers())) {
    execFileSync('rabbitmq-server', ['-detached']);
    for (let i = 0; i < 60 && !(await brokerAnswers()); i++) await sleep(1000);
  }
  try {
    execFileSync(PYTHON, ['-c', 'import oslo_messaging']);
  } catch {
    execFileSync('apt-get', ['update', '-q']);
    execFileSync('apt-get', [
      'install',
      '-y',
      '-q',
      '-o',
      'DPkg::Lock::Timeout=600',
      '--no-install-recommends',
      'python3-oslo.messaging',
    ]);
  }
}

async function brokerAnswers(): Promise<boolean> {
  try {
    const connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
    await connection.close();
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A name no other run uses, for the exchange and topic (so queues of runs never mix). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Deletes what a run declared on the shared broker. */
export async function deleteBrokerObjects(exchange: string, topic: string): Promise<void> {
  const connection = await amqplib.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  for (const priority of ['info', 'error']) await channel.deleteQueue(`${topic}.${priority}`);
  await channel.deleteExchange(exchange);
  await connection.close();
}

export interface ReceivedNotification {
  priority: string;
  publisher_id: string;
  event_type: string;
  payload: Record<string, any>;
  message_id: string;
  timestamp: string;
  /** When the test process read it from the listener (epoch ms). */
  receivedAt: number;
}

/** The Python oslo.messaging listener as a child process; `received` grows as lines arrive. */
export class OsloListener {
  readonly received: ReceivedNotification[] = [];
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private ready: Promise<void>;

  constructor(exchange: string, topic: string, url = RABBIT) {
    if (!existsSync(LISTENER)) throw new Error(`missing ${LISTENER}`);
    this.child = spawn(PYTHON, [LISTENER, url, exchange, topic]);
    let buffered = '';
    this.ready = new Promise((resolve, reject) => {
      this.child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line === 'READY') resolve();
          else if (line.trim())
            this.received.push({ ...(JSON.parse(line) as ReceivedNotification), receivedAt: Date.now() });
        }
      });
      this.child.on('exit', (code) => reject(new Error(`oslo listener exited (${code}): ${this.stderr}`)));
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
  }

  started(): Promise<void> {
    return this.ready;
  }

  /** Waits until `count` notifications arrived, then a little longer to catch any extra ones. */
  async waitFor(count: number, timeoutMs = 30_000): Promise<ReceivedNotification[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count && Date.now() < deadline) await sleep(50);
    if (this.received.length < count) {
      throw new Error(
        `listener got ${this.received.length} of ${count} notifications; stderr: ${this.stderr.slice(-2000)}`,
      );
    }
    await sleep(500);
    return this.received;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    this.child.kill('SIGTERM');
    await exited;
  }
}

/**
 * A plain AMQP consumer of the notifications: every copy the broker delivers, duplicates
 * included. (An oslo listener drops a message whose `_unique_id` it saw among its last few,
 * so it hides most of the repeats the relay sends; this one counts them.)
 *
 * `own-queue`: a private queue bound like the oslo queues, beside any listener. `relay-queues`:
 * the queues the relay declares itself (`<topic>.info` / `.error`), so messages published while
 * the consumer reconnects wait for it; declared again on every reconnection.
 */
export class RawNotificationConsumer {
  readonly received: ReceivedNotification[] = [];
  private constructor(private readonly manager: AmqpConnectionManager) {}

  static async start(
    url: string,
    exchange: string,
    topic: string,
    mode: 'own-queue' | 'relay-queues',
  ): Promise<RawNotificationConsumer> {
    const manager = amqp.connect([url.replace(/^rabbit:/, 'amqp:')], { reconnectTimeInSeconds: 0.5 });
    const consumer = new RawNotificationConsumer(manager);
    const keys = ['info', 'error'].map((priority) => `${topic}.${priority}`);
    const channel = manager.createChannel({
      setup: async (ch: amqplib.ConfirmChannel) => {
        const take = (msg: amqplib.ConsumeMessage | null) => msg && consumer.take(msg);
        // The flags the relay and oslo use by default, so the declarations are equivalent.
        await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
        if (mode === 'relay-queues') {
          for (const key of keys) {
            await ch.assertQueue(key, { durable: false, autoDelete: false });
            await ch.bindQueue(key, exchange, key);
            await ch.consume(key, take, { noAck: true });
          }
        } else {
          const { queue } = await ch.assertQueue('', { exclusive: true });
          for (const key of keys) await ch.bindQueue(queue, exchange, key);
          await ch.consume(queue, take, { noAck: true });
        }
      },
    });
    await channel.waitForConnect();
    return consumer;
  }

  async stop(): Promise<void> {
    await this.manager.close();
  }

  private take(msg: amqplib.ConsumeMessage): void {
    const envelope = JSON.parse(msg.content.toString('utf8')) as Record<string, unknown>;
    const body = (
      typeof envelope['oslo.message'] === 'string' ? JSON.parse(envelope['oslo.message']) : envelope
    ) as Record<string, any>;
    this.received.push({
      priority: String(body.priority).toLowerCase(),
      publisher_id: body.publisher_id as string,
      event_type: body.event_type as string,
      payload: body.payload as Record<string, any>,
      message_id: body.message_id as string,
      timestamp: body.timestamp as string,
      receivedAt: Date.now(),
    });
  }
}

/**
 * A TCP relay in front of RabbitMQ that the test opens, closes and cuts, to play broker
 * outages without touching the shared broker.
 */
export class FlakyBrokerProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** When set, the next connection is cut after this many bytes from the client. */
  cutAfterBytes: number | null = null;
  /** Connections accepted so far. */
  connections = 0;
  /** Holds everything the broker sends this long: a slow link, so that each confirm takes a while. */
  delayFromBrokerMs = 0;

  constructor(readonly port: number) {}

  static async onFreePort(): Promise<FlakyBrokerProxy> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as import('node:net').AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    return new FlakyBrokerProxy(port);
  }

  get url(): string {
    return `rabbit://guest:guest@127.0.0.1:${this.port}/`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      this.connections++;
      const upstream = new Socket();
      upstream.connect(5672, '127.0.0.1');
      this.sockets.add(client).add(upstream);
      let fromClient = 0;
      client.on('data', (chunk: Buffer) => {
        fromClient += chunk.length;
        upstream.write(chunk);
        if (this.cutAfterBytes !== null && fromClient >= this.cutAfterBytes) {
          this.cutAfterBytes = null;
          client.destroy();
          upstream.destroy();
        }
      });
      upstream.on('data', (chunk: Buffer) => {
        const forward = () => {
          if (!client.destroyed) client.write(chunk);
        };
        if (this.delayFromBrokerMs > 0) setTimeout(forward, this.delayFromBrokerMs);
        else forward();
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

export type NotifyingApp = TestApp & { readonly clock: ManualClock };

export interface NotifyingAppOptions {
  kind: TestDatabaseKind;
  conf: string;
  now: UtcTime;
  /** Keep the relay's own background loop (otherwise the test runs passes itself). */
  relayLoop?: boolean;
}

/**
 * The `all` role in-process (API + manager + relay) against a fresh database, the test node
 * driver and a manual clock. The manager's own timer is off: the test calls ManagerJobs.
 */
export async function createNotifyingApp(options: NotifyingAppOptions): Promise<NotifyingApp> {
  const clock = new ManualClock(options.now);
  const app = await createTestApp({
    kind: options.kind,
    clock,
    manager: 'jobs',
    relay: options.relayLoop ? 'loop' : 'manual',
    conf: ['[DEFAULT]', 'host = e2e-host', options.conf].join('\n'),
  });
  return Object.assign(app, { clock });
}
