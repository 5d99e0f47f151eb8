import { UtcTime } from '../common/time';
import { mergeWindows } from './timeline-rows';

const t = (day: number) => `2040-01-${String(day).padStart(2, '0')} 00:00:00.000000` as UtcTime;

describe('mergeWindows', () => {
  it('merges overlapping and touching windows, whatever their order', () => {
    expect(
      mergeWindows([
        [t(5), t(7)],
        [t(1), t(3)],
        [t(3), t(4)],
        [t(6), t(9)],
        [t(12), t(13)],
      ]),
    ).toEqual([
      [t(1), t(4)],
      [t(5), t(9)],
      [t(12), t(13)],
    ]);
  });

  it('keeps a window that contains the next ones whole', () => {
    expect(
      mergeWindows([
        [t(1), t(20)],
        [t(2), t(3)],
        [t(5), t(6)],
      ]),
    ).toEqual([[t(1), t(20)]]);
  });

  it('answers nothing for nothing', () => {
    expect(mergeWindows([])).toEqual([]);
  });
});
