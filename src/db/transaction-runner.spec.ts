import { Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
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

  it('retries lock-wait timeouts too, but gives up after MAX_ATTEMPTS with the last error', async () => {
    const { dataSource } = fakeMysql();
    const timeout = mysqlError(1205, 'Lock wait timeout exceeded; try restarting transaction');
    let calls = 0;
    await expect(
      new TransactionRunner(dataSource).run(async () => {
        calls++;
        throw timeout;
      }),
    ).rejects.toBe(timeout);
    expect(calls).toBe(MAX_ATTEMPTS);
  });

  it('propagates any other error at once, unchanged', async () => {
    const { dataSource, events } = fakeMysql();
    const duplicate = mysqlError(1062, "Duplicate entry 'x' for key 'uuid'");
    await expect(new TransactionRunner(dataSource).run(async () => Promise.reject(duplicate))).rejects.toBe(duplicate);
    expect(events).toEqual(['begin READ COMMITTED', 'rollback', 'release']);
  });
});

describe('isRetryableMysqlError', () => {
  it('knows deadlocks (and Galera certification failures, reported the same way) and lock-wait timeouts', () => {
    expect(isRetryableMysqlError(deadlock())).toBe(true);
    expect(isRetryableMysqlError(mysqlError(1205, 'timeout'))).toBe(true);
    expect(isRetryableMysqlError(Object.assign(new Error('raw mysql2'), { errno: 1213 }))).toBe(true);
    expect(isRetryableMysqlError(mysqlError(1062, 'duplicate'))).toBe(false);
    expect(isRetryableMysqlError(new Error('plain'))).toBe(false);
    expect(isRetryableMysqlError(undefined)).toBe(false);
  });
});
