import { MICROS_PER_HOUR, NODE_HOURS_WINDOW, peakNodeHours, peakNodes, Span } from './quota-math';

const H = MICROS_PER_HOUR;
const DAY = 24n * H;
const span = (resource: string, startHour: bigint, endHour: bigint): Span => ({
  resource,
  start: startHour * H,
  end: endHour * H,
});

describe('peakNodes', () => {
  const existing = [span('n1', 0n, 10n), span('n2', 5n, 15n), span('n3', 10n, 20n)];

  it('finds the busiest instant inside the windows, and splits it into what is held and what is added', () => {
    expect(peakNodes(existing, [span('n4', 6n, 8n)], [[6n * H, 8n * H]])).toEqual({
      total: 3,
      existing: 2,
      added: 1,
      at: 6n * H,
    });
  });

  it('treats windows as half-open: a lease ending as another starts does not overlap it', () => {
    // n1 ends at 10 and n3 starts at 10: at no instant are n1, n2 and n3 all held.
    expect(peakNodes(existing, [], [[0n, 20n * H]])?.total).toBe(2);
    expect(peakNodes(existing, [span('n4', 15n, 16n)], [[15n * H, 16n * H]])).toMatchObject({ total: 2, existing: 1 });
  });

  it('counts a node once however many leases hold it at one instant', () => {
    const nested = [span('n1', 0n, 10n), span('n1', 2n, 4n)];
    expect(peakNodes(nested, [], [[0n, 10n * H]])?.total).toBe(1);
  });

  it('ignores what lies outside the windows', () => {
    expect(peakNodes(existing, [span('n4', 30n, 31n)], [[30n * H, 31n * H]])).toMatchObject({
      total: 1,
      existing: 0,
      added: 1,
    });
  });

  it('is null without windows', () => {
    expect(peakNodes(existing, [], [])).toBeNull();
  });
});

describe('peakNodeHours', () => {
  it('sums the node-hours of the worst 30 days overlapping the request', () => {
    // 10 + 10 node-hours 20 days apart, and 5 more requested in between: all inside one 30-day
    // window, the first of which ends as the last lease does.
    const existing = [span('n1', 0n, 10n), span('n2', 480n, 490n)];
    const peak = peakNodeHours(existing, [span('n3', 240n, 245n)], [[240n * H, 245n * H]]);
    expect(peak).toEqual({ total: 25, existing: 20, added: 5, at: 490n * H - NODE_HOURS_WINDOW });
  });

  it('does not add up bookings more than 30 days apart', () => {
    const existing = [span('n1', 0n, 10n), span('n2', 30n * 24n + 10n, 30n * 24n + 20n)];
    const peak = peakNodeHours(existing, [], [[0n, 1000n * H]]);
    expect(peak?.total).toBe(10);
  });

  it('counts exactly the part of a long lease inside the window', () => {
    const peak = peakNodeHours([span('n1', 0n, 100n * 24n)], [], [[0n, 100n * DAY]]);
    expect(peak?.total).toBe(30 * 24);
    expect(NODE_HOURS_WINDOW).toBe(30n * DAY);
  });

  it('finds the window holding a request at its far end', () => {
    // The request starts 29 days after an existing lease: a window from 0 holds both.
    const existing = [span('n1', 0n, 24n)];
    const peak = peakNodeHours(existing, [span('n2', 29n * 24n, 31n * 24n)], [[29n * DAY, 31n * DAY]]);
    expect(peak).toMatchObject({ total: 48, existing: 24, added: 24 });
  });
});
