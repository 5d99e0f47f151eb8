import { loadConfig } from '../../config/config-loader';
import { EsiLeapLogger, LogFormat, logFormatFor } from './esi-leap-logger';

const ISO_UTC = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';

/** What the logger wrote to stdout and stderr, one entry per line. */
function capture(run: () => void): string[] {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(keep);
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line !== '');
}

function configWith(lines: string[]) {
  const env = Object.fromEntries(lines.map((line) => line.split('=', 2) as [string, string]));
  return loadConfig({ configFiles: [], env, homeDir: '/nonexistent', etcDir: '/nonexistent' }).config;
}

describe('logFormatFor', () => {
  it.each<[string[], boolean, LogFormat]>([
    [[], true, 'text'],
    [[], false, 'json'],
    [['ESI_LEAP__DEFAULT__USE_JSON=true'], true, 'json'],
    [['ESI_LEAP__DEFAULT__LOG_FORMAT=text'], false, 'text'],
    [['ESI_LEAP__DEFAULT__LOG_FORMAT=json'], true, 'json'],
  ])('%j with a terminal %s: %s', (env, terminal, format) => {
    expect(logFormatFor(configWith(env), terminal)).toBe(format);
  });
});

describe('EsiLeapLogger', () => {
  it('JSON: one object per line with an ISO-8601 UTC time, a standard level name and credentials masked', () => {
    const lines = capture(() => {
      const logger = new EsiLeapLogger('info', 'json');
      logger.debug('hidden at info');
      logger.log({ event: 'x', connection: 'mysql://esi:pw@db/esi' }, 'esi-leap.test');
      logger.warn('careful', 'esi-leap.config');
    });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        timestamp: expect.stringMatching(new RegExp(`^${ISO_UTC}$`)),
        level: 'INFO',
        pid: process.pid,
        context: 'esi-leap.test',
        message: { event: 'x', connection: 'mysql://esi:***@db/esi' },
      },
      expect.objectContaining({ level: 'WARNING', context: 'esi-leap.config', message: 'careful' }),
    ]);
  });

  it('text: time, pid, level, logger and message on one line; structured messages as key=value', () => {
    const lines = capture(() => {
      const logger = new EsiLeapLogger('debug', 'text');
      logger.warn('options with no effect: [DEFAULT] use_syslog', 'esi-leap.config');
      logger.log(
        { event: 'http.request', method: 'GET', status: 200, path: '/v1/offers', note: 'two words' },
        'esi-leap.http',
      );
      logger.debug('detail', 'esi-leap.db');
      logger.error('failed: X-Auth-Token: abc', 'Error: boom\n    at mysql://u:pw@h/d', 'esi-leap.keystone');
    });
    expect(lines[0]).toMatch(
      new RegExp(
        `^${ISO_UTC} ${process.pid} WARNING esi-leap.config options with no effect: \\[DEFAULT\\] use_syslog$`,
      ),
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^${ISO_UTC} ${process.pid} INFO esi-leap.http event=http.request method=GET status=200 path=/v1/offers note="two words"$`,
      ),
    );
    expect(lines[2]).toMatch(new RegExp(`^${ISO_UTC} ${process.pid} DEBUG esi-leap.db detail$`));
    expect(lines[3]).toMatch(
      new RegExp(`^${ISO_UTC} ${process.pid} ERROR esi-leap.keystone failed: X-Auth-Token: \\*\\*\\*$`),
    );
    expect(lines.slice(4)).toEqual(['Error: boom', '    at mysql://u:***@h/d']);
  });

  it.each<LogFormat>(['json', 'text'])('%s: an error logged without a stack is one line', (format) => {
    // The exception filter logs a refused database this way before it answers 503.
    const message = 'POST /v1/leases: database unavailable (ER_UNKNOWN_COM_ERROR 1047)';
    const lines = capture(() => new EsiLeapLogger('info', format).error(message, 'esi-leap.api'));
    expect(lines).toHaveLength(1);
    if (format === 'json') {
      expect(JSON.parse(lines[0])).toEqual(
        expect.objectContaining({ level: 'ERROR', context: 'esi-leap.api', message }),
      );
    } else {
      expect(lines[0]).toMatch(
        new RegExp(`^${ISO_UTC} ${process.pid} ERROR esi-leap.api ${message.replace(/[()]/g, '\\$&')}$`),
      );
    }
  });

  it.each<LogFormat>(['json', 'text'])('%s: folds Nest start-up lines into one summary at info level', (format) => {
    const startup = (logger: EsiLeapLogger) => {
      logger.log('Starting Nest application...', 'NestFactory');
      for (const name of ['ConfigModule', 'DatabaseModule', 'OpsModule'])
        logger.log(`${name} dependencies initialized`, 'InstanceLoader');
      logger.log('OffersController {/v1/offers}:', 'RoutesResolver');
      logger.log('Mapped {/v1/offers, GET} route', 'RouterExplorer');
      logger.log('Mapped {/v1/offers, POST} route', 'RouterExplorer');
      logger.log('Nest application successfully started', 'NestApplication');
    };
    const atInfo = capture(() => startup(new EsiLeapLogger('info', format)));
    expect(atInfo).toHaveLength(1);
    expect(atInfo[0]).toContain('application started: 3 modules, 1 controllers, 2 routes');
    expect(atInfo[0]).toMatch(format === 'json' ? /"level":"INFO"/ : / INFO esi-leap application started/);
    // At debug level the details are there too, as debug lines.
    const atDebug = capture(() => startup(new EsiLeapLogger('debug', format)));
    expect(atDebug).toHaveLength(8);
    expect(atDebug.filter((line) => line.includes('DEBUG'))).toHaveLength(7);
  });
});
