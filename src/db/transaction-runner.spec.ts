import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ResourceBusy } from '../common/errors/esi-leap.exceptions';
import { isRetryableMysqlError, MAX_ATTEMPTS, TransactionRunner } from './transaction-runner';

/** What mysql2 rejects with, as TypeORM wraps it. */
function mysqlError(errno: number, message: string): QueryFailedError {
  return new QueryFailedError('COMMIT', [], Object.assign(new Error(message), { errno, code: 'X' }));
}
const deadlock = () => mysqlError(1213, 'Deadlock found when trying to get lock; try restarting transaction');

/** A MySQL DataSource whose query runners only record what happens to their transactions. */
function fakeMysql() {
  const events: string[] = [];
  const dataSource = {
    options: { type: 'mysql' },
    createQueryRunner: () => {
      const runner = {
        isTransactionActive: false,
        manager: {} as EntityManager,
        startTransaction: async (isolation: string) => {
          events.push(`begin ${isolation}`);
          runner.isTransactionActive = true;
        },
        commitTransaction: async () => {
          events.push('commit');
          runner.isTransactionActive = false;
        },
        rollbackTransaction: async () => {
          events.push('rollback');
          runner.isTransactionActive = false;
        },
        release: async () => void events.push('release'),
      };
      return runner;
    },
  } as unknown as DataSource;
  return { dataSource, events };
}

describe('TransactionRunner on MySQL (retry policy)', () => {
  beforeEach(() => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('re-runs the whole work after a deadlock, in a fresh READ COMMITTED transaction', async () => {
    const { dataSource, events } = fakeMysql();
    let calls = 0;
    const result = await new TransactionRunner(dataSource).run(async () => {
      if (++calls === 1) throw deadlock();
      return 'booked';
    });
    expect(result).toBe('booked');
    expect(events).toEqual([
      'begin READ COMMITTED',
      'rollback',
      'release',
      'begin READ COMMITTED',
      'commit',
      'release',
    ]);
  });

  it('gives up after MAX_ATTEMPTS deadlocks with the last error', async () => {
    const { dataSource } = fakeMysql();
    let calls = 0;
    const last = deadlock();
    await expect(
      new TransactionRunner(dataSource).run(async () => {
        calls++;
        throw last;
      }),
    ).rejects.toBe(last);
    expect(calls).toBe(MAX_ATTEMPTS);
  });

  it('does not re-run a lock-wait timeout: the lock was waited for as long as configured', async () => {
    const { dataSource, events } = fakeMysql();
    const timeout = mysqlError(1205, 'Lock wait timeout exceeded; try restarting transaction');
    await expect(new TransactionRunner(dataSource).run(async () => Promise.reject(timeout))).rejects.toBe(timeout);
    expect(events).toEqual(['begin READ COMMITTED', 'rollback', 'release']);
  });

  it('answers 503 naming the resource when its lock row stays locked for the whole wait', async () => {
    const { dataSource } = fakeMysql();
    const runner = new TransactionRunner(dataSource);
    const em = { connection: dataSource, query: () => Promise.reject(mysqlError(1205, 'Lock wait timeout exceeded')) };
    const locking = runner.lockResources(em as never, [{ resourceType: 'dummy_node', resourceUuid: 'node-1' }]);
    await expect(locking).rejects.toBeInstanceOf(ResourceBusy);
    await expect(locking).rejects.toMatchObject({
      status: 503,
      message: 'dummy_node node-1 is being changed by another request; try again shortly.',
    });
  });

  it('propagates any other error at once, unchanged', async () => {
    const { dataSource, events } = fakeMysql();
    const duplicate = mysqlError(1062, "Duplicate entry 'x' for key 'uuid'");
    await expect(new TransactionRunner(dataSource).run(async () => Promise.reject(duplicate))).rejects.toBe(duplicate);
    expect(events).toEqual(['begin READ COMMITTED', 'rollback', 'release']);
  });
});

describe('isRetryableMysqlError', () => {
  it('knows deadlocks (and Galera certification failures, reported the same way), not lock-wait timeouts', () => {
    expect(isRetryableMysqlError(deadlock())).toBe(true);
    expect(isRetryableMysqlError(mysqlError(1205, 'timeout'))).toBe(false);
    expect(isRetryableMysqlError(Object.assign(new Error('raw mysql2'), { errno: 1213 }))).toBe(true);
    expect(isRetryableMysqlError(mysqlError(1062, 'duplicate'))).toBe(false);
    expect(isRetryableMysqlError(new Error('plain'))).toBe(false);
    expect(isRetryableMysqlError(undefined)).toBe(false);
  });
});
