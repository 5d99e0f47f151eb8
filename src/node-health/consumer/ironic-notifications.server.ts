import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { BaseRpcContext } from '@nestjs/microservices/ctx-host/base-rpc.context';
import amqp, { AmqpConnectionManager, ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { lastValueFrom } from 'rxjs';
import { readIronicNotification, UnreadableNotification } from './ironic-notification';
import { IronicNotificationsSettings } from './ironic-notifications.settings';

export type ConsumerStatus = 'connected' | 'disconnected';

/** Delays between attempts at a notification whose handler failed: doubling, then steady. */
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 30_000;

/** The routing key and message id of the notification a handler is given, as Nest's RPC context. */
export class IronicNotificationContext extends BaseRpcContext<[string, string | null]> {
  get routingKey(): string {
    return this.args[0];
  }

  get messageId(): string | null {
    return this.args[1];
  }
}

/**
 * A Nest microservice transport that consumes Ironic's versioned notifications from RabbitMQ:
 * handlers are `@EventPattern(<event_type>)` methods. The queue is esi-leap's own and durable,
 * bound to Ironic's exchange with `<topic>.info` and `<topic>.error`, so notifications wait
 * there while no manager runs. Messages are handled one at a time in arrival order, and each
 * is acknowledged only after its handler's effect has committed: a handler that fails is
 * retried (with back-off) while the message stays unacknowledged, and a manager that stops or
 * dies leaves it to be delivered again. A message that cannot be read, or whose event type
 * has no handler, is acknowledged at once.
 */
export class IronicNotificationsServer
  extends Server<Record<string, never>, ConsumerStatus>
  implements CustomTransportStrategy
{
  private readonly log = new Logger('esi-leap.node_health');
  private manager: AmqpConnectionManager | null = null;
  private wrapper: ChannelWrapper | null = null;
  /** The channel consuming now and its consumer tag, for cancelling at shutdown. */
  private consuming: { channel: Channel; tag: string } | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closing = false;
  /** Ends the back-off a failed handler is waiting out, so shutdown need not wait for it. */
  private wakeUp: (() => void) | null = null;

  constructor(private readonly settings: IronicNotificationsSettings) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    const { brokers, tls, heartbeatSeconds, reconnectSeconds } = this.settings;
    const manager = amqp.connect(
      brokers.map((b) => b.url),
      {
        heartbeatIntervalInSeconds: heartbeatSeconds,
        reconnectTimeInSeconds: reconnectSeconds,
        connectionOptions: tls ? { ...tls } : undefined,
      },
    );
    manager.on('connect', ({ url }) => this.log.log(`consuming Ironic notifications from ${this.redact(url)}`));
    manager.on('disconnect', ({ err }) => {
      this.log.warn(`disconnected from the broker: ${err?.message ?? 'closed'}`);
      this._status$.next('disconnected');
    });
    manager.on('connectFailed', ({ err, url }) =>
      this.log.warn(`cannot connect to ${this.redact(url)}: ${err.message}`),
    );
    this.wrapper = manager.createChannel({
      name: 'ironic-notifications',
      setup: (channel: Channel) => this.setup(channel),
    });
    this.manager = manager;
    // Start-up does not wait for the broker: the connection keeps trying in the background.
    callback();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wakeUp?.();
    const consuming = this.consuming;
    this.consuming = null;
    await consuming?.channel.cancel(consuming.tag).catch(() => undefined);
    await this.queue;
    const { wrapper, manager } = this;
    this.wrapper = null;
    this.manager = null;
    await wrapper?.close().catch(() => undefined);
    await manager?.close();
  }

  on(event: string, callback: (...args: unknown[]) => void): void {
    this.manager?.on(event as 'connect', callback);
  }

  unwrap<T>(): T {
    if (!this.manager) throw new Error('Not initialized. Please call the "listen" method first.');
    return this.manager as T;
  }

  /**
   * On every (re)connection: the exchange (declared as oslo would if Ironic has not yet), the
   * durable queue and its bindings, then the consumer. A failed setup is retried on a new
   * connection, so a consumer is never left silently idle.
   */
  private async setup(channel: Channel): Promise<void> {
    const { exchange, exchangeDurable, queue, routingKeys, prefetch } = this.settings;
    try {
      await this.ensureExchange(exchange, exchangeDurable);
      await channel.assertQueue(queue, { durable: true });
      for (const key of routingKeys) await channel.bindQueue(queue, exchange, key);
      await channel.prefetch(prefetch);
      const { consumerTag } = await channel.consume(queue, (message) => message && this.enqueue(channel, message), {
        noAck: false,
      });
      this.consuming = { channel, tag: consumerTag };
      this._status$.next('connected');
    } catch (err) {
      this.log.error(`setting up the Ironic notification queue ${queue} failed: ${String(err)}; reconnecting`);
      setTimeout(() => this.manager?.reconnect(), this.settings.reconnectSeconds * 1000).unref();
    }
  }

  /** A passive check first, on a channel of its own: a refused declaration closes its channel. */
  private async ensureExchange(exchange: string, durable: boolean): Promise<void> {
    const connection = this.manager?.connection;
    if (!connection) throw new Error('no connection');
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkExchange(exchange);
      await probe.close();
      return;
    } catch {
      // 404: Ironic has not published yet.
    }
    const declaring = await connection.createChannel();
    try {
      await declaring.assertExchange(exchange, 'topic', { durable, autoDelete: false });
    } finally {
      await declaring.close().catch(() => undefined);
    }
  }

  private enqueue(channel: Channel, message: ConsumeMessage): void {
    this.queue = this.queue
      .then(() => this.process(channel, message))
      // Left unacknowledged: delivered again after the next reconnection or restart.
      .catch((err: unknown) => this.log.error(`processing a notification failed: ${errorText(err)}`));
  }

  private async process(channel: Channel, message: ConsumeMessage): Promise<void> {
    // Delivered ahead but not started before shutdown: the broker hands it out again.
    if (this.closing) return;
    let notification;
    try {
      notification = readIronicNotification(message.content);
    } catch (err) {
      if (!(err instanceof UnreadableNotification)) throw err;
      this.log.warn(`dropping an unreadable message (${message.fields.routingKey}): ${err.message}`);
      return acknowledge(channel, message);
    }
    const handler = this.getHandlerByPattern(notification.eventType);
    if (!handler) return acknowledge(channel, message);
    const context = new IronicNotificationContext([message.fields.routingKey, notification.messageId]);
    for (let attempt = 1; ; attempt++) {
      try {
        await lastValueFrom(this.transformToObservable(await handler(notification, context)), {
          defaultValue: undefined,
        });
        return acknowledge(channel, message);
      } catch (err) {
        this.log.error(
          `${notification.eventType} for node ${notification.nodeUuid} failed (attempt ${attempt}): ${errorText(err)}`,
        );
      }
      if (this.closing) return;
      await this.backOff(Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LONGEST_RETRY_MS));
      // A message of a channel that has closed meanwhile will be delivered again: leave it.
      if (this.closing || this.consuming?.channel !== channel) return;
    }
  }

  private backOff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wakeUp?.(), ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
    });
  }

  private redact(url: unknown): string {
    return this.settings.brokers.find((b) => b.url === url)?.redacted ?? 'the broker';
  }
}

/** An acknowledgement on a channel that has closed is moot: the broker redelivers the message anyway. */
function acknowledge(channel: Channel, message: ConsumeMessage): void {
  try {
    channel.ack(message);
  } catch {
    // The channel closed: the message goes back to the queue by itself.
  }
}

/** Nest's RPC exception filter rethrows `{status, message}` objects rather than errors. */
function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(err);
}
