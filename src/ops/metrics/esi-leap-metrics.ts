import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Clock } from '../../common/clock';
import { toEpochMicros } from '../../common/time';
import { ManagerCounter, ManagerMetrics } from '../../manager/manager-metrics';
import { OpsRepository } from '../ops.repository';

/** Route label of a request no route matched (404s, and requests the auth layer refused). */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * The Prometheus registry of one process (`[metrics] enabled`). Its own registry, not
 * prom-client's global one, so several apps in one process (the e2e tests) never collide.
 * Gauges that mirror state read it at scrape time instead of being pushed on every change.
 */
@Injectable()
export class EsiLeapMetrics implements OnApplicationBootstrap {
  readonly registry = new Registry();
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly latency: Histogram<'method' | 'route' | 'status'>;
  private manager: ManagerMetrics | null = null;

  constructor(
    private readonly repository: OpsRepository,
    private readonly clock: Clock,
    private readonly moduleRef: ModuleRef,
  ) {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'esi_leap_http_requests_total',
      help: 'HTTP requests answered, by route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: 'esi_leap_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.registerDatabaseGauges();
    this.registerManagerMetrics();
  }

  onApplicationBootstrap(): void {
    try {
      this.manager = this.moduleRef.get(ManagerMetrics, { strict: false });
    } catch {
      this.manager = null;
    }
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.latency.observe(labels, seconds);
  }

  private registerDatabaseGauges(): void {
    const repository = this.repository;
    new Gauge({
      name: 'esi_leap_db_pool_connections',
      help: 'MySQL connection pool: open (total), idle, and requests waiting for a connection.',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        this.reset();
        const stats = repository.poolStats();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    new Gauge({
      name: 'esi_leap_notification_outbox_backlog',
      help: 'Events not yet published to the message bus (absent without the notification relay tables).',
      registers: [this.registry],
      async collect() {
        this.reset();
        const backlog = await repository.outboxBacklog();
        if (backlog !== null) this.set(backlog);
      },
    });
  }

  /** Only where the manager role runs in this process; empty otherwise. */
  private registerManagerMetrics(): void {
    const source = () => this.manager;
    const clock = this.clock;
    new Counter({
      name: 'esi_leap_manager_events_total',
      help: 'Manager work since start: due rows taken, transitions done, retries, failures, job errors.',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        this.reset();
        const snapshot = source()?.snapshot();
        if (!snapshot) return;
        for (const [kind, value] of Object.entries(snapshot) as [ManagerCounter, number][]) this.inc({ kind }, value);
      },
    });
    new Gauge({
      name: 'esi_leap_manager_last_run_age_seconds',
      help: 'Seconds since the manager last finished a run of its jobs (its lag behind the schedule).',
      registers: [this.registry],
      collect() {
        this.reset();
        const finished = source()?.lastRunFinishedAt;
        if (finished) this.set(Number(toEpochMicros(clock.now()) - toEpochMicros(finished)) / 1e6);
      },
    });
  }
}
