import { Observable, Subscription } from 'rxjs';

export type BrokerState = 'connected' | 'disconnected' | 'connecting';

/**
 * Follows the notification publisher's connection state (a Nest ClientProxy `status` stream),
 * so the health check answers from memory instead of touching the broker on every probe.
 */
export class BrokerConnection {
  private current: BrokerState = 'connecting';
  private readonly subscription: Subscription;

  constructor(status: Observable<string>) {
    this.subscription = status.subscribe((state) => {
      this.current = state === 'connected' ? 'connected' : 'disconnected';
    });
  }

  get state(): BrokerState {
    return this.current;
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

/** A publisher whose status can be followed: anything shaped like Nest's ClientProxy. */
export function hasStatusStream(value: unknown): value is { status: Observable<string> } {
  const status = (value as { status?: unknown } | null)?.status;
  return typeof (status as Observable<string> | undefined)?.subscribe === 'function';
}
