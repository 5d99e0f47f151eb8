import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { addSeconds, UtcTime } from '../common/time';
import { AsyncMutex } from '../db/async-mutex';
import { TransactionRunner } from '../db/transaction-runner';
import { EventEntity } from '../leasing/data/event.entity';
import { CursorPosition, OutboxCursorsRepository } from './outbox-cursors.repository';

/**
 * How long an id missing below events already seen may still turn up. Ids are allocated when a
 * row is inserted and commit in any order (and a Galera node allocates its own series, so most
 * ids never exist at all); a transaction that writes events commits moments after them, so an
 * id missing this long belongs to a transaction that rolled back, or was never used.
 */
export const MISSING_ID_GRACE_MS = 60_000;
/** How long a cursor's claim outlives its last renewal; the holder renews it every third of this. */
const CLAIM_SECONDS = 6;
const BATCH_SIZE = 200;

export interface OutboxConsumerOptions {
  /** The consumer's cursor (a row of `notification_cursors`). */
  readonly cursor: string;
  readonly logger: Logger;
  /** Called inside the transaction that moves the cursor to `eventId`, for what it may now forget. */
  readonly onAdvance?: (em: EntityManager, eventId: number) => Promise<void>;
  /** MISSING_ID_GRACE_MS unless given (tests shorten it). */
  readonly missingIdGraceMs?: number;
}

/** A run of ids missing below seen ones, `[from, to]`, and since when. */
interface MissingIds {
  readonly from: number;
  readonly to: number;
  readonly since: number;
}

/**
 * Reads the events outbox for one consumer, at least once and whatever crashes: one process at
 * a time holds the consumer's cursor (a claim renewed while it works, so another takes over
 * within seconds of a crash), every visible event after the cursor is handed to `deliver` in id
 * order, and handled events are recorded before the next one. An id missing below visible ones
 * does not hold the others back: they are handled and remembered in `outbox_delivered`, and the
 * cursor moves past the missing id once it has been missing for MISSING_ID_GRACE_MS.
 */
export class OutboxConsumer {
  private readonly holder = `${hostname().slice(0, 40)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Passes of this process never overlap (they would share the claim). */
  private readonly passes = new AsyncMutex();
  private missing: MissingIds[] = [];
  private cursorExists = false;
  /** What the pass under way is doing, for logs about a pass that takes long; null between passes. */
  private step: string | null = null;

  constructor(
    private readonly options: OutboxConsumerOptions,
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly cursors: OutboxCursorsRepository,
  ) {}

  /**
   * One pass: `deliver` for every event not yet handled, in id order; returns how many. When
   * `deliver` throws, the pass stops there and the event is offered again on the next one.
   */
  pass(deliver: (event: EventEntity, cursor: CursorPosition) => Promise<void>): Promise<number> {
    return this.passes.runExclusive(async () => {
      try {
        return await this.run(deliver);
      } finally {
        this.step = null;
      }
    });
  }

  /** What the pass under way is doing ("delivering event 42"), or null between passes. */
  get currentStep(): string | null {
    return this.step;
  }

  /** With the consumer off: its cursor follows the newest event, so turning it on does not replay history. */
  async skipPending(): Promise<void> {
    await this.tx.run(async (em) => {
      await this.ensureCursor(em);
      const newest = await this.cursors.skipToNewest(em, this.options.cursor, this.clock.now());
      await this.options.onAdvance?.(em, newest);
    });
  }

  private async run(deliver: (event: EventEntity, cursor: CursorPosition) => Promise<void>): Promise<number> {
    const now = this.clock.now();
    this.step = `claiming the ${this.options.cursor} cursor`;
    const cursor = await this.tx.run(async (em) => {
      await this.ensureCursor(em);
      return this.cursors.claim(em, this.options.cursor, this.holder, now, addSeconds(now, CLAIM_SECONDS));
    });
    if (!cursor) return 0;
    // Renewed apart from the events, so a delivery that waits on its peer keeps the claim.
    const renewal = setInterval(() => void this.renew(), (CLAIM_SECONDS * 1000) / 3).unref();
    let last = cursor.lastEventId;
    // Where the pass reads next. It runs ahead of the cursor when an id that may still commit
    // holds the cursor back: reading from the cursor again would offer the same full batch
    // for ever, and nothing after it would be delivered until the id's grace ran out. On
    // Galera ids step by the cluster size, so most ids are missing and this is the usual case.
    let readAfter = last;
    let handled = 0;
    try {
      for (;;) {
        this.step = `reading events after ${readAfter}`;
        const from = readAfter;
        const events = await this.tx.run((em) => this.cursors.eventsAfter(em, from, BATCH_SIZE));
        if (events.length === 0) return handled;
        const upTo = events[events.length - 1].id;
        const done = await this.tx.run((em) => this.cursors.delivered(em, this.options.cursor, from, upTo));
        for (const event of events) {
          if (done.has(event.id)) continue;
          this.step = `delivering event ${event.id}`;
          await deliver(event, cursor);
          handled++;
          this.step = `recording event ${event.id} as delivered`;
          if (!(await this.record(event.id))) return handled;
          done.add(event.id);
        }
        // Only a batch read from the cursor tells how far the cursor may move.
        const next = from === last ? this.advanceTo(last, events, done) : last;
        if (next > last) {
          this.step = `moving the cursor to ${next}`;
          if (!(await this.moveCursor(next))) return handled;
          last = next;
        }
        readAfter = upTo;
        if (events.length < BATCH_SIZE) return handled;
      }
    } finally {
      clearInterval(renewal);
      this.step = `releasing the ${this.options.cursor} cursor`;
      await this.tx.run((em) => this.cursors.release(em, this.options.cursor, this.holder));
    }
  }

  /**
   * How far the cursor may go: over handled events and over ids missing for longer than the
   * grace, up to the first event still to handle or id that may still commit. Only batches
   * that start at the cursor are looked at, so an id missing further on starts its grace once
   * the cursor has come near it: later, never sooner.
   */
  private advanceTo(last: number, events: readonly EventEntity[], done: ReadonlySet<number>): number {
    const now = Date.now();
    const missing: MissingIds[] = [];
    let cursor = last;
    let blocked = false;
    let expected = last + 1;
    for (const event of events) {
      if (event.id > expected) {
        const gap = { from: expected, to: event.id - 1, since: this.missingSince(expected, event.id - 1, now) };
        missing.push(gap);
        if (now - gap.since < (this.options.missingIdGraceMs ?? MISSING_ID_GRACE_MS)) blocked = true;
        else if (!blocked) cursor = gap.to;
      }
      if (!blocked) {
        if (done.has(event.id)) cursor = event.id;
        else blocked = true;
      }
      expected = event.id + 1;
    }
    this.missing = missing;
    return cursor;
  }

  /** When the ids `[from, to]` were first seen missing: the earliest run seen before that overlaps them, else now. */
  private missingSince(from: number, to: number, now: number): number {
    return this.missing.filter((m) => m.from <= to && m.to >= from).reduce((since, m) => Math.min(since, m.since), now);
  }

  private record(eventId: number): Promise<boolean> {
    const at = this.clock.now();
    return this.tx.run((em) =>
      this.cursors.markDelivered(em, this.options.cursor, this.holder, eventId, at, addSeconds(at, CLAIM_SECONDS)),
    );
  }

  private moveCursor(eventId: number): Promise<boolean> {
    const at = this.clock.now();
    return this.tx.run(async (em) => {
      const moved = await this.cursors.advance(
        em,
        this.options.cursor,
        this.holder,
        eventId,
        at,
        addSeconds(at, CLAIM_SECONDS),
      );
      if (moved) await this.options.onAdvance?.(em, eventId);
      return moved;
    });
  }

  private async ensureCursor(em: EntityManager): Promise<void> {
    if (this.cursorExists) return;
    await this.cursors.ensure(em, this.options.cursor);
    this.cursorExists = true;
  }

  private async renew(): Promise<void> {
    const now: UtcTime = this.clock.now();
    try {
      await this.tx.run((em) =>
        this.cursors.claim(em, this.options.cursor, this.holder, now, addSeconds(now, CLAIM_SECONDS)),
      );
    } catch (err) {
      // A lapsed claim costs at most a repeated delivery by the next holder (at least once).
      this.options.logger.warn(`could not renew the ${this.options.cursor} cursor claim: ${String(err)}`);
    }
  }
}
