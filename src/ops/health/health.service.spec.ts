import { ModuleRef } from '@nestjs/core';
import { ReplaySubject } from 'rxjs';
import { ManualClock } from '../../common/clock';
import { UtcTime } from '../../common/time';
import { EsiLeapConfig } from '../../config/esi-leap-config';
import { NOTIFIER_SETTINGS, OSLO_NOTIFIER } from '../../notifications/notifications.tokens';
import { OpsRepository } from '../ops.repository';
import { HealthService } from './health.service';

const config = {
  manager: { sweep_interval: 10 },
  pecan: { auth_enable: false },
  api: { default_resource_type: 'dummy_node' },
} as unknown as EsiLeapConfig;
const repository = { ping: () => Promise.resolve() } as unknown as OpsRepository;

function healthWith(providers: Map<unknown, unknown>): HealthService {
  const moduleRef = {
    get: (token: unknown) => {
      if (!providers.has(token)) throw new Error('not found');
      return providers.get(token);
    },
  } as unknown as ModuleRef;
  const service = new HealthService(
    config,
    repository,
    new ManualClock('2030-01-01 00:00:00.000000' as UtcTime),
    moduleRef,
  );
  service.onApplicationBootstrap();
  return service;
}

describe('HealthService broker check', () => {
  it('follows the publisher status stream when notifications are enabled', async () => {
    const status = new ReplaySubject<string>(1);
    const health = healthWith(
      new Map<unknown, unknown>([
        [NOTIFIER_SETTINGS, { enabled: true }],
        [OSLO_NOTIFIER, { status }],
      ]),
    );
    expect((await health.report()).checks.notifications).toEqual({ status: 'failing', state: 'connecting' });
    status.next('connected');
    expect(await health.report()).toMatchObject({ status: 'ok', checks: { notifications: { state: 'connected' } } });
    status.next('disconnected');
    expect(await health.report()).toMatchObject({ status: 'failing', failing: ['notifications'] });
    expect((await health.report(['database'])).status).toBe('ok');
    health.onApplicationShutdown();
  });

  it('leaves the broker out when this process publishes nothing', async () => {
    const status = new ReplaySubject<string>(1);
    const disabled = healthWith(
      new Map<unknown, unknown>([
        [NOTIFIER_SETTINGS, { enabled: false }],
        [OSLO_NOTIFIER, { status }],
      ]),
    );
    expect((await disabled.report()).checks).not.toHaveProperty('notifications');
    expect((await healthWith(new Map()).report()).checks).toEqual({
      database: expect.objectContaining({ status: 'ok' }),
    });
  });
});
