import { ClientError, InvalidConstraint } from '../common/errors/esi-leap.exceptions';
import { parseAvailabilityQuery, parseDuration } from './availability-query';

describe('parseDuration', () => {
  it.each([
    ['3600', 3600],
    ['PT4H', 4 * 3600],
    ['P3D', 3 * 86_400],
    ['P1DT12H30M15S', 86_400 + 12 * 3600 + 30 * 60 + 15],
    ['P2W', 14 * 86_400],
    ['pt90m', 90 * 60],
  ])('reads %s as %d seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  it.each(['', '0', '-5', '1.5', 'P', 'PT', 'P1Y', 'P1M', 'P1DT', '4h', 'PT0S'])('refuses %p with a 400', (raw) => {
    expect(() => parseDuration(raw)).toThrow(ClientError);
  });

  it('refuses more than the longest search range', () => {
    expect(() => parseDuration('P367D')).toThrow('duration is at most 366 days');
  });
});

describe('parseAvailabilityQuery', () => {
  it('applies the defaults and reads repeated constraints', () => {
    expect(parseAvailabilityQuery({ duration: 'PT1H', constraint: ['cpus>=8', 'gpu'] })).toMatchObject({
      count: 1,
      limit: 5,
      source: 'offers',
      durationSeconds: 3600,
      notBefore: undefined,
      notAfter: undefined,
      constraints: [{ text: 'cpus>=8' }, { text: 'gpu' }],
    });
  });

  it.each([
    [{}, 'duration is required: seconds, or ISO 8601 such as PT4H or P3D.'],
    [{ duration: '60', count: '0' }, 'count must be between 1 and 1000; got 0.'],
    [{ duration: '60', limit: '51' }, 'limit must be between 1 and 50; got 51.'],
    [{ duration: '60', source: 'mine' }, "source must be 'offers' or 'owned'; got 'mine'."],
    [
      { duration: '60', count: 'two' },
      "Invalid input for field/attribute count. Value: 'two'. unable to convert to int. Error: invalid literal for int() with base 10: 'two'",
    ],
    [{ duration: '60', not_before: '2040-01-02', not_after: '2040-01-01' }, 'not_after must be later than not_before.'],
    [{ duration: '60', start_time: '2040-01-01' }, 'Unknown argument: "start_time"'],
  ])('refuses %p: %s', (query, message) => {
    expect(() => parseAvailabilityQuery(query)).toThrow(message);
  });

  it('refuses a malformed constraint naming it', () => {
    expect(() => parseAvailabilityQuery({ duration: '60', constraint: 'cpus>>8' })).toThrow(InvalidConstraint);
  });
});
