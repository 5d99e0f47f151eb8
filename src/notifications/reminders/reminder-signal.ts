import { Injectable } from '@nestjs/common';

/**
 * Tells the reminder mailer of this process that reminders were written, so their mails go
 * out at once instead of at its next periodic look (which still covers other processes).
 */
@Injectable()
export class ReminderSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}
