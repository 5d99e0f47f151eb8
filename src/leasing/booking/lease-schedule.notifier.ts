import { Injectable } from '@nestjs/common';

/**
 * Tells an in-process manager that lease times changed (a lease created or extended through
 * the API), so a lease starting "now" is fulfilled without waiting for the next sweep. With
 * `--role=api` nobody listens and this costs nothing.
 */
@Injectable()
export class LeaseScheduleNotifier {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
