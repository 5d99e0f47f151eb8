import { describeDuration, parseDuration } from './durations';

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['48h', 172_800],
    ['7d', 604_800],
    ['2w', 1_209_600],
    ['1d12h', 129_600],
    [' 1h30m ', 5400],
    ['0s', 0],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '7', 'd', '7 d', '1.5h', '-1h', '7days', 'h7', '99999999999999999999w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('describeDuration', () => {
  it.each([
    [0, '0 seconds'],
    [1, '1 second'],
    [90, '1 minute 30 seconds'],
    [172_800, '2 days'],
    [129_600, '1 day 12 hours'],
    [3_600, '1 hour'],
  ])('says %d seconds as %j', (seconds, text) => {
    expect(describeDuration(seconds)).toBe(text);
  });
});
