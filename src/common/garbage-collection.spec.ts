import { IDLE_MS, IdleHeapCollector, WORTH_COLLECTING_BYTES } from './garbage-collection';

describe('IdleHeapCollector', () => {
  const MB = 1024 * 1024;
  let heap: number;
  let gc: jest.Mock;
  beforeEach(() => {
    jest.useFakeTimers();
    heap = 100 * MB;
    gc = jest.fn(() => {
      heap = 40 * MB;
    });
  });
  afterEach(() => jest.useRealTimers());

  it('collects once the responses stop, not while they keep coming', () => {
    const collector = new IdleHeapCollector(gc, () => heap);
    for (let i = 0; i < 10; i++) {
      collector.noteWork();
      jest.advanceTimersByTime(IDLE_MS - 100);
    }
    expect(gc).not.toHaveBeenCalled();
    jest.advanceTimersByTime(100);
    expect(gc).toHaveBeenCalledTimes(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('skips the collection when the heap grew less than the threshold since the last one', () => {
    const collector = new IdleHeapCollector(gc, () => heap);
    collector.noteWork();
    jest.advanceTimersByTime(IDLE_MS);
    expect(gc).toHaveBeenCalledTimes(1);

    heap = 40 * MB + WORTH_COLLECTING_BYTES - 1;
    collector.noteWork();
    jest.advanceTimersByTime(IDLE_MS);
    expect(gc).toHaveBeenCalledTimes(1);

    heap = 40 * MB + WORTH_COLLECTING_BYTES;
    collector.noteWork();
    jest.advanceTimersByTime(IDLE_MS);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('does nothing when node runs without --expose-gc', () => {
    const collector = new IdleHeapCollector(undefined, () => heap);
    collector.noteWork();
    expect(jest.getTimerCount()).toBe(0);
  });
});
