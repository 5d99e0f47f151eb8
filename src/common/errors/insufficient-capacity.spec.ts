import { CapacityReport, InsufficientCapacity } from './esi-leap.exceptions';

const window = { start_time: '2040-01-01T00:00:00', end_time: '2040-01-02T00:00:00' };

describe('InsufficientCapacity', () => {
  const report: CapacityReport = {
    requested: 2,
    candidates: 3,
    matching: 2,
    free: 1,
    most_excluding: 'cpus>=32',
    constraints: [{ constraint: 'cpus>=32', excluded: 1, excluded_only_by_this: 1 }],
    earliest_window: { start_time: '2040-01-05T00:00:00', end_time: '2040-01-06T00:00:00' },
  };

  it('is a 409 whose faultstring names the numbers, the most excluding constraint and the earliest window', () => {
    const error = new InsufficientCapacity(report, window, 90);
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      'Only 1 of 2 requested nodes is free from 2040-01-01T00:00:00 to 2040-01-02T00:00:00: 2 match the ' +
        "constraints (of 3 you can book; 'cpus>=32' excluded 1). The earliest window with 2 free is " +
        '2040-01-05T00:00:00 to 2040-01-06T00:00:00.',
    );
    expect(error.details).toEqual({ capacity: report });
  });

  it('says so when no window within the horizon would do, and leaves out a constraint that excluded nothing', () => {
    const error = new InsufficientCapacity(
      { ...report, free: 0, matching: 1, most_excluding: null, constraints: [], earliest_window: null },
      window,
      90,
    );
    expect(error.message).toBe(
      'Only 0 of 2 requested nodes are free from 2040-01-01T00:00:00 to 2040-01-02T00:00:00: 1 matches the ' +
        'constraints (of 3 you can book). No window of that length has 2 free within 90 days.',
    );
  });
});
