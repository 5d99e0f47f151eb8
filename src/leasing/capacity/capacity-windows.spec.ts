import { FOREVER, UtcTime } from '../../common/time';
import { findCapacityWindows, ResourceFreeWindows } from './capacity-windows';

const t = (text: string) => text as UtcTime;
const offer = (uuid: string, start: string, end: string) => ({
  start: t(start),
  end: t(end),
  source: { offer_uuid: uuid },
});

describe('findCapacityWindows', () => {
  const resources: ResourceFreeWindows<{ offer_uuid: string }>[] = [
    { resource: 'node-a', free: [offer('o1', '2030-01-01 00:00:00.000000', '2030-01-04 00:00:00.000000')] },
    {
      resource: 'node-b',
      free: [
        offer('o2', '2030-01-01 12:00:00.000000', '2030-01-02 00:00:00.000000'),
        offer('o3', '2030-01-02 06:00:00.000000', FOREVER),
      ],
    },
    { resource: 'node-c', free: [offer('o4', '2030-01-01 00:00:00.000001', '2030-01-03 00:00:00.000000')] },
  ];

  it('answers in UtcTime, with the offer each resource would be booked from', () => {
    const windows = findCapacityWindows(resources, {
      count: 3,
      durationSeconds: 12 * 3600,
      notBefore: t('2030-01-01 00:00:00.000000'),
      notAfter: FOREVER,
      limit: 2,
    });
    expect(windows).toEqual([
      {
        start: '2030-01-01 12:00:00.000000',
        end: '2030-01-02 00:00:00.000000',
        latestStart: '2030-01-01 12:00:00.000000',
        resources: [
          { resource: 'node-a', free: resources[0].free[0] },
          { resource: 'node-b', free: resources[1].free[0] },
          { resource: 'node-c', free: resources[2].free[0] },
        ],
      },
      {
        start: '2030-01-02 06:00:00.000000',
        end: '2030-01-02 18:00:00.000000',
        latestStart: '2030-01-02 12:00:00.000000',
        resources: [
          { resource: 'node-a', free: resources[0].free[0] },
          { resource: 'node-b', free: resources[1].free[1] },
          { resource: 'node-c', free: resources[2].free[0] },
        ],
      },
    ]);
  });

  it('keeps microseconds: a window one microsecond too long does not fit', () => {
    const query = {
      count: 1,
      notBefore: t('2030-01-01 00:00:00.000000'),
      notAfter: t('2030-01-03 00:00:00.000000'),
      limit: 1,
    };
    const nodeC = [resources[2]];
    expect(findCapacityWindows(nodeC, { ...query, durationSeconds: 86400 * 2 - 0.000001 })).toEqual([
      {
        start: '2030-01-01 00:00:00.000001',
        end: '2030-01-03 00:00:00.000000',
        latestStart: '2030-01-01 00:00:00.000001',
        resources: [{ resource: 'node-c', free: resources[2].free[0] }],
      },
    ]);
    expect(findCapacityWindows(nodeC, { ...query, durationSeconds: 86400 * 2 })).toEqual([]);
  });

  it('reaches the end of time without overflowing', () => {
    const [window] = findCapacityWindows([resources[1]], {
      count: 1,
      durationSeconds: 3600,
      notBefore: t('9999-12-31 22:00:00.000000'),
      notAfter: FOREVER,
      limit: 1,
    });
    expect(window).toMatchObject({ start: '9999-12-31 22:00:00.000000', latestStart: '9999-12-31 22:59:59.999999' });
  });
});
