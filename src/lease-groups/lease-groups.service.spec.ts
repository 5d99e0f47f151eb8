import { emptyCredentials, RequestContext } from '../auth/request-context';
import { ManualClock } from '../common/clock';
import {
  LeaseExceedMaxTimeRange,
  LeaseGroupContended,
  OfferNoTimeAvailabilities,
  ResourceTimeConflict,
} from '../common/errors/esi-leap.exceptions';
import { UtcTime } from '../common/time';
import { EsiLeapConfig } from '../config/esi-leap-config';
import { AccessRules } from '../leasing/booking/access-rules';
import { BookingService, NewLeaseFields } from '../leasing/booking/booking.service';
import { LeaseGroupsRepository } from '../leasing/data/lease-groups.repository';
import { EventRecorder } from '../leasing/lifecycle/event-recorder';
import { LeaseLifecycle } from '../leasing/lifecycle/lease-lifecycle';
import { CapacityAsk, CapacitySelector, SelectedResource } from '../leasing/selection/capacity-selector';
import { PolicyService } from '../policy/policy.service';
import { LeaseGroupPresenter } from './lease-group.presenter';
import { BOOKING_ATTEMPTS, LeaseGroupsService } from './lease-groups.service';

const NOW = '2030-01-01 00:00:00.000000' as UtcTime;
const ctx: RequestContext = {
  creds: { ...emptyCredentials(), project_id: 'lessee', user_id: 'u', roles: ['lessee'] },
  authToken: null,
  projectName: 'lessee',
  requestId: 'req-1',
};
const node = (n: number): SelectedResource => ({
  resourceType: 'test_node',
  resourceUuid: `node-${n}`,
  resourceName: `node ${n}`,
  ownerId: 'owner',
  offerUuid: `offer-${n}`,
  parentLeaseUuid: null,
});

/**
 * The retry of a booking that lost its selection to a concurrent one, against a selector and a
 * booking path that say what the test tells them to.
 */
function serviceWith(bookingAnswers: Array<Error | null>) {
  const selections: Array<{ ask: CapacityAsk; excluding: string[] }> = [];
  const booked: string[][] = [];
  const selector = {
    select: async (ask: CapacityAsk, excluding: ReadonlySet<string> = new Set()) => {
      selections.push({ ask, excluding: [...excluding].sort() });
      return [1, 2, 3, 4, 5].map(node).filter((r) => !excluding.has(r.resourceUuid));
    },
  };
  const booking = {
    createLeases: async (members: readonly NewLeaseFields[]) => {
      booked.push(members.map((m) => m.resourceUuid));
      const answer = bookingAnswers.shift();
      if (answer) throw answer;
      return members.map((m, i) => ({ uuid: `lease-${i}`, resourceUuid: m.resourceUuid }));
    },
  };
  const service = new LeaseGroupsService(
    { api: { default_lease_time: 7 } } as unknown as EsiLeapConfig,
    new ManualClock(NOW),
    { bookingRequester: () => ({}), assertLeaseLength: () => undefined } as unknown as AccessRules,
    {} as PolicyService,
    selector as unknown as CapacitySelector,
    booking as unknown as BookingService,
    {} as LeaseLifecycle,
    {} as LeaseGroupsRepository,
    {} as EventRecorder,
    { one: async () => ({ booked: true }) } as unknown as LeaseGroupPresenter,
  );
  return { service, selections, booked };
}

describe('LeaseGroupsService booking after a lost race', () => {
  it('selects again without the resource the refusal names, and books the new selection', async () => {
    const { service, selections, booked } = serviceWith([
      new ResourceTimeConflict({ resource_type: 'test_node', resource_uuid: 'node-2' }),
      null,
    ]);
    await expect(service.create(ctx, { count: 2 })).resolves.toEqual({ booked: true });
    expect(selections.map((s) => s.excluding)).toEqual([[], ['node-2']]);
    expect(booked).toEqual([
      ['node-1', 'node-2'],
      ['node-1', 'node-3'],
    ]);
  });

  it('names a lost offer by its uuid as well', async () => {
    const { service, selections } = serviceWith([
      new OfferNoTimeAvailabilities({ offer_uuid: 'offer-1', start_time: NOW, end_time: NOW }),
      null,
    ]);
    await service.create(ctx, { count: 2 });
    expect(selections.map((s) => s.excluding)).toEqual([[], ['node-1']]);
  });

  it(`gives up with a 409 after ${BOOKING_ATTEMPTS} lost attempts`, async () => {
    const lost = (n: number) => new ResourceTimeConflict({ resource_type: 'test_node', resource_uuid: `node-${n}` });
    const { service, selections } = serviceWith([lost(1), lost(2), lost(3), lost(4)]);
    const refusal = service.create(ctx, { count: 1 });
    await expect(refusal).rejects.toBeInstanceOf(LeaseGroupContended);
    await expect(refusal).rejects.toMatchObject({
      status: 409,
      message: 'Could not book 1 leases: other bookings took the resources selected, 4 times; try again.',
    });
    expect(selections).toHaveLength(BOOKING_ATTEMPTS);
  });

  it('passes any other refusal on at once, without selecting again', async () => {
    const { service, selections } = serviceWith([new LeaseExceedMaxTimeRange({ max_time: 21 })]);
    await expect(service.create(ctx, { count: 2 })).rejects.toBeInstanceOf(LeaseExceedMaxTimeRange);
    expect(selections).toHaveLength(1);
  });

  it('takes up to max_count of what is free, asking the selector for at least min_count', async () => {
    const { service, selections, booked } = serviceWith([null]);
    await service.create(ctx, { min_count: 2, max_count: 4 });
    expect(selections[0].ask).toMatchObject({ count: 2, source: 'offers', start: NOW });
    expect(booked).toEqual([['node-1', 'node-2', 'node-3', 'node-4']]);
  });
});
