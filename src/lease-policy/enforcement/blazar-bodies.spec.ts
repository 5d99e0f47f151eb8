import { UtcTime } from '../../common/time';
import { blazarDate, blazarLease } from './blazar-bodies';

describe('Blazar bodies', () => {
  it('writes dates as Python isoformat() of a naive UTC datetime: microseconds only when not zero', () => {
    expect(blazarDate('2030-06-02 00:00:00.000000' as UtcTime)).toBe('2030-06-02T00:00:00');
    expect(blazarDate('2030-06-02 10:11:12.012345' as UtcTime)).toBe('2030-06-02T10:11:12.012345');
  });

  it('names a node without a name by its uuid, and leaves out id and status of a lease not yet booked', () => {
    const lease = blazarLease(
      {
        name: null,
        start: '2030-06-02 00:00:00.000000' as UtcTime,
        end: '2030-06-03 00:00:00.000000' as UtcTime,
        userId: null,
        projectId: 'p',
      },
      [{ resourceType: 'dummy_node', resourceUuid: 'n-1', info: null }],
    );
    expect(Object.keys(lease)).toEqual(['name', 'start_date', 'end_date', 'user_id', 'project_id', 'reservations']);
    expect(lease.reservations[0].allocations).toEqual([
      {
        id: 'n-1',
        hypervisor_hostname: 'n-1',
        extra: {
          resource_class: null,
          esi_leap_resource_type: 'dummy_node',
          offer_uuid: null,
          parent_lease_uuid: null,
        },
      },
    ]);
  });
});
