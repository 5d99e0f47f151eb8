import { formatLeadTime, leadTimeSeconds } from './lead-times';

describe('lead times', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect([leadTimeSeconds('30s'), leadTimeSeconds('90m'), leadTimeSeconds('48h'), leadTimeSeconds('2d')]).toEqual([
      30, 5400, 172800, 172800,
    ]);
  });

  it('refuses anything else', () => {
    expect(() => leadTimeSeconds('48')).toThrow('not a lead time: 48');
    expect(() => leadTimeSeconds('1w')).toThrow();
  });

  it('shows seconds in the largest whole unit', () => {
    expect([172800, 3600, 5400, 45, 86400 + 60].map(formatLeadTime)).toEqual(['2d', '1h', '90m', '45s', '1441m']);
  });
});
