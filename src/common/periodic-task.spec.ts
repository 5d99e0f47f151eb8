import { PeriodicTask } from './periodic-task';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  function counting(delayMs: number, runImpl?: () => Promise<void>) {
    const calls = {
      runs: 0,
      errors: [] as unknown[],
      delays: [] as { failed: boolean; consecutiveFailures: number }[],
    };
    const task = new PeriodicTask({
      name: 'test loop',
      run: async () => {
        calls.runs++;
        await runImpl?.();
      },
      nextDelayMs: (run) => {
        calls.delays.push(run);
        return delayMs;
      },
      onError: (err) => calls.errors.push(err),
    });
    return { task, calls };
  }

  it('runs at start, then again after the delay the task asks for', async () => {
    const { task, calls } = counting(1000);
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(calls.runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.runs).toBe(2);
    await task.stop();
  });

  it('never overlaps runs; a wake during a run brings the next one forward to right after it', async () => {
    let release!: () => void;
    let active = 0;
    let most = 0;
    const { task, calls } = counting(60_000, async () => {
      active++;
      most = Math.max(most, active);
      await new Promise<void>((resolve) => (release = resolve));
      active--;
    });
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    task.wake();
    task.wake();
    await tick();
    expect(calls.runs).toBe(1);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.runs).toBe(2);
    release();
    await jest.advanceTimersByTimeAsync(0);
    expect(calls.runs).toBe(2);
    expect(most).toBe(1);
    await task.stop();
  });

  it('reports failures and counts consecutive ones for back-off', async () => {
    let fail = true;
    const { task, calls } = counting(10, async () => {
      if (fail) throw new Error('boom');
    });
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(10);
    fail = false;
    await jest.advanceTimersByTimeAsync(10);
    expect(calls.errors).toHaveLength(2);
    expect(calls.delays.map((d) => d.consecutiveFailures)).toEqual([1, 2, 0]);
    await task.stop();
  });

  it('stop waits for the run in progress and arms nothing after it', async () => {
    let release!: () => void;
    const { task, calls } = counting(0, () => new Promise<void>((resolve) => (release = resolve)));
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await tick();
    expect(stopped).toBe(false);
    release();
    await stopping;
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.runs).toBe(1);
    task.wake();
    await jest.advanceTimersByTimeAsync(1000);
    expect(calls.runs).toBe(1);
  });

  it('while stopping, says every 5 s which loop it still waits for, and stops saying it once done', async () => {
    let release!: () => void;
    const { task } = counting(0, () => new Promise<void>((resolve) => (release = resolve)));
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    const said: string[] = [];
    const stopping = task.stop((message) => said.push(message));
    await jest.advanceTimersByTimeAsync(4_999);
    expect(said).toEqual([]);
    await jest.advanceTimersByTimeAsync(5_001);
    expect(said).toEqual([
      'shutdown: test loop is still finishing its current run (5 s)',
      'shutdown: test loop is still finishing its current run (10 s)',
    ]);
    release();
    await stopping;
    await jest.advanceTimersByTimeAsync(20_000);
    expect(said).toHaveLength(2);
  });

  it('stops at once, saying nothing, when no run is under way', async () => {
    const { task } = counting(60_000);
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    const said: string[] = [];
    await task.stop((message) => said.push(message));
    await jest.advanceTimersByTimeAsync(20_000);
    expect(said).toEqual([]);
  });

  it('names where the run is when the task can tell', async () => {
    let release!: () => void;
    let step: string | null = 'delivering event 7';
    const task = new PeriodicTask({
      name: 'relay',
      describeRun: () => step,
      run: () => new Promise<void>((resolve) => (release = resolve)),
      nextDelayMs: () => 1000,
      onError: () => undefined,
    });
    task.start();
    await jest.advanceTimersByTimeAsync(0);
    const said: string[] = [];
    const stopping = task.stop((message) => said.push(message));
    await jest.advanceTimersByTimeAsync(5_000);
    step = null;
    await jest.advanceTimersByTimeAsync(5_000);
    release();
    await stopping;
    expect(said).toEqual([
      'shutdown: relay is still finishing its current run (5 s): delivering event 7',
      'shutdown: relay is still finishing its current run (10 s)',
    ]);
  });
});
