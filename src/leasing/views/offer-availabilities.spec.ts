import { addDays, UtcTime } from '../../common/time';
import { offerAvailabilities, Window } from './offer-availabilities';

const day0 = '2030-01-01 00:00:00.000000' as UtcTime;
const d = (n: number) => addDays(day0, n);
const w = (a: number, b: number): Window => [d(a), d(b)];

describe('offerAvailabilities', () => {
  const cases: Array<[string, number, Window[], Window[]]> = [
    [
      'gaps around conflicts before the offer started',
      -5,
      [w(10, 20), w(20, 30), w(50, 60)],
      [w(0, 10), w(30, 50), w(60, 100)],
    ],
    ['fully booked', -5, [w(0, 100)], []],
    ['now inside a conflict', 10, [w(10, 20), w(20, 30), w(50, 60)], [w(30, 50), w(60, 100)]],
    [
      'now inside an overlapping conflict',
      10,
      [w(0, 4), w(5, 15), w(20, 30), w(50, 60)],
      [w(15, 20), w(30, 50), w(60, 100)],
    ],
    ['only past conflicts', 10, [w(0, 4), w(5, 10)], [w(10, 100)]],
    ['adjacent conflicts merge', -5, [w(10, 20), w(20, 30)], [w(0, 10), w(30, 100)]],
    ['keeps the current gap (upstream drops it)', 10, [w(0, 4), w(20, 30)], [w(10, 20), w(30, 100)]],
    ['overlapping conflicts never give inverted windows', -5, [w(10, 30), w(20, 25)], [w(0, 10), w(30, 100)]],
    ['offer already over', 150, [], []],
    ['conflict past the offer end is clipped', -5, [w(90, 120)], [w(0, 90)]],
    ['unsorted input', -5, [w(50, 60), w(10, 20)], [w(0, 10), w(20, 50), w(60, 100)]],
  ];

  it.each(cases)('%s', (_name, now, busy, expected) => {
    expect(offerAvailabilities(d(0), d(100), busy, d(now))).toEqual(expected);
  });
});
