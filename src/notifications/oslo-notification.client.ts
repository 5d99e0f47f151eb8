import { Logger } from '@nestjs/common';
import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ChannelModel } from 'amqplib';
import { Clock } from '../common/clock';
import { NotifierSettings } from './notifier-settings';
import { NotificationPriority, osloBody, osloMessage, OutgoingNotification } from './oslo-message';

/** The priorities esi-leap emits; their routing keys get a queue on each connection. */
const EMITTED_PRIORITIES: readonly NotificationPriority[] = ['INFO', 'ERROR'];

export type NotifierStatus = 'connected' | 'disconnected';

/**
 * A NestJS ClientProxy that publishes oslo.messaging notifications to RabbitMQ exactly as the
 * `messagingv2` driver does: `emit(eventType, notification)` sends one
 * message per topic to the `control_exchange` topic exchange with routing key
 * `<topic>.<priority>` and resolves once the broker has confirmed every copy.
 *
 * Each emit is one bounded attempt (`publishTimeoutMs`): the caller decides about retries, so a
 * broker outage never blocks it for ever (upstream's default `retry = -1` did). Reconnection runs in the background.
 */
export class OsloNotificationClient extends ClientProxy<Record<never, never>, NotifierStatus> {
  private readonly logger = new Logger('esi-leap.notifications');
  private manager: AmqpConnectionManager | null = null;
  private channel: ChannelWrapper | null = null;
  /** oslo falls back to a non-durable exchange when the broker has one already (see declare). */
  private durable: boolean;

  constructor(
    private readonly settings: NotifierSettings,
    private readonly clock: Clock,
    private readonly publishTimeoutMs: number,
  ) {
    super();
    this.durable = settings.durable;
  }

  /** Starts connecting in the background; publishing waits for the connection, up to its timeout. */
  connect(): Promise<void> {
    if (this.manager) return Promise.resolve();
    const { brokers, tls, heartbeatSeconds, reconnectSeconds } = this.settings;
    const manager = amqp.connect(
      brokers.map((b) => b.url),
      {
        heartbeatIntervalInSeconds: heartbeatSeconds,
        reconnectTimeInSeconds: reconnectSeconds,
        connectionOptions: tls ? { ...tls } : undefined,
      },
    );
    manager.on('connect', ({ url }) => {
      this.logger.log(`connected to ${this.redact(url)}`);
      this._status$.next('connected');
    });
    manager.on('disconnect', ({ err }) => {
      this.logger.warn(`disconnected from the broker: ${err?.message ?? 'closed'}`);
      this._status$.next('disconnected');
    });
    manager.on('connectFailed', ({ err, url }) => this.logger.warn(`cannot connect to ${this.redact(url)}: ${err.message}`));
    const channel = manager.createChannel({
      name: 'oslo-notifications',
      confirm: true,
      publishTimeout: this.publishTimeoutMs,
      setup: () => this.declare(manager),
    });
    channel.on('error', (err: Error) => this.logger.error(`declaring the notification exchange/queues failed: ${err.message}`));
    this.manager = manager;
    this.channel = channel;
    return Promise.resolve();
  }

  /** Nest calls this at shutdown, after the relay loop has stopped. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    const { manager, channel } = this;
    this.manager = null;
    this.channel = null;
    await channel?.close().catch(() => undefined);
    await manager?.close();
  }

  unwrap<T>(): T {
    if (!this.manager) throw new Error('Not initialized. Please call the "connect" method first.');
    return this.manager as T;
  }

  /** Notifications are one-way: there is no reply to wait for. */
  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('oslo notifications are one-way: use emit()'), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = undefined>(packet: ReadPacket<OutgoingNotification>): Promise<T> {
    const channel = this.channel;
    if (!channel) throw new Error('the notifier is closed');
    const eventType = String(packet.pattern);
    const message = osloMessage(eventType, packet.data, this.settings.publisherId, this.clock.now());
    const priority = packet.data.priority.toLowerCase();
    const sends: Promise<boolean>[] = [];
    for (const topic of this.settings.topics) {
      for (const format of this.settings.formats) {
        sends.push(
          channel.publish(this.settings.exchange, `${topic}.${priority}`, osloBody(message, format), {
            // kombu's defaults: without application/json the listener does not decode the body.
            contentType: 'application/json',
            contentEncoding: 'utf-8',
            deliveryMode: 2,
            priority: 0,
          }),
        );
      }
    }
    await Promise.all(sends);
    return undefined as T;
  }

  /**
   * Runs on every (re)connection, like oslo's per-connection declare cache: the topic exchange,
   * then for each topic and emitted priority a queue named like its routing key, bound to it,
   * with the flags and arguments oslo uses so a shared broker never sees an inequivalent
   * re-declaration. Declarations use a throw-away channel: a refused one closes that channel,
   * not the publishing one.
   */
  private async declare(manager: AmqpConnectionManager): Promise<void> {
    const connection = manager.connection;
    if (!connection) return;
    const { exchange, autoDelete, topics, queueArguments } = this.settings;
    await this.declareExchange(connection);
    const channel = await connection.createChannel();
    try {
      for (const topic of topics) {
        for (const priority of EMITTED_PRIORITIES) {
          const key = `${topic}.${priority.toLowerCase()}`;
          await channel.assertQueue(key, { durable: this.durable, autoDelete, arguments: { ...queueArguments } });
          await channel.bindQueue(key, exchange, key);
        }
      }
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  /** impl_rabbit `_publish`: an exchange that exists with another `durable` flag is re-declared non-durable. */
  private async declareExchange(connection: ChannelModel): Promise<void> {
    const attempt = async (durable: boolean) => {
      const channel: Channel = await connection.createChannel();
      channel.on('error', () => undefined);
      try {
        await channel.assertExchange(this.settings.exchange, 'topic', { durable, autoDelete: this.settings.autoDelete });
      } finally {
        await channel.close().catch(() => undefined);
      }
    };
    try {
      await attempt(this.durable);
    } catch (err) {
      if (!String((err as Error).message).includes("PRECONDITION_FAILED - inequivalent arg 'durable'")) throw err;
      this.logger.warn(`exchange ${this.settings.exchange} exists with another durable flag: using it non-durable`);
      this.durable = false;
      await attempt(false);
    }
  }

  private redact(url: unknown): string {
    const known = this.settings.brokers.find((b) => b.url === url);
    return known ? known.redacted : 'the broker';
  }
}
