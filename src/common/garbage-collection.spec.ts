import { collectGarbageSoon } from './garbage-collection';

describe('collectGarbageSoon', () => {
  const global = globalThis as { gc?: () => void };
  const original = global.gc;
  afterEach(() => {
    jest.useRealTimers();
    global.gc = original;
  });

  it('collects once, two seconds after the first of several calls', () => {
    jest.useFakeTimers();
    const gc = jest.fn();
    global.gc = gc;
    collectGarbageSoon();
    jest.advanceTimersByTime(1000);
    collectGarbageSoon();
    collectGarbageSoon();
    expect(gc).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1000);
    expect(gc).toHaveBeenCalledTimes(1);
    collectGarbageSoon();
    jest.advanceTimersByTime(2000);
    expect(gc).toHaveBeenCalledTimes(2);
  });

  it('does nothing when node runs without --expose-gc', () => {
    jest.useFakeTimers();
    global.gc = undefined;
    collectGarbageSoon();
    expect(jest.getTimerCount()).toBe(0);
  });
});
