import { describe, expect, it } from 'vitest';
import type { DaemonLogger } from '../../src/daemon/daemon-log.js';
import { logText, publishedLog } from '../../src/daemon/published-log.js';

function fileLog() {
  const lines: Array<[string, unknown, unknown]> = [];
  const at =
    (level: string) =>
    (details: object | string, message?: string): void => {
      lines.push([level, details, message]);
    };
  const log: DaemonLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
  };
  return { log, lines };
}

describe('publishedLog', () => {
  it('writes every line to the file and publishes it once as daemon:log:<level> while watched', () => {
    const { log, lines } = fileLog();
    const published: unknown[][] = [];
    const logger = publishedLog(
      log,
      { isWatched: (type) => type !== 'daemon:log:debug', emit: (...args) => published.push(args) },
      () => 7,
    );
    logger.info({ url: 'http://x' }, 'listening');
    logger.debug('unwatched');
    logger.warn({ err: new Error('EADDRINUSE') }, 'cannot listen');
    logger.fatal('bye');
    expect(lines.map((line) => line[0])).toEqual(['info', 'debug', 'warn', 'fatal']);
    expect(published).toEqual([
      ['daemon:log:info', { date: 7, message: 'listening {"url":"http://x"}' }],
      ['daemon:log:warn', { date: 7, message: 'cannot listen: EADDRINUSE' }],
    ]);
  });

  it('a line logged while one is published (a listener that throws) goes to the file only', () => {
    const { log, lines } = fileLog();
    const published: unknown[][] = [];
    const logger: DaemonLogger = publishedLog(log, {
      isWatched: () => true,
      emit: (...args) => {
        published.push(args);
        logger.error('a listener threw');
      },
    });
    logger.error('first');
    expect(published).toHaveLength(1);
    expect(lines.map((line) => line[1])).toEqual(['first', 'a listener threw']);
  });

  it('keeps the error message once and caps the text', () => {
    expect(logText({ err: new Error('boom') }, 'failed: boom')).toBe('failed: boom');
    expect(logText('x'.repeat(100_000)).length).toBe(64 * 1024);
  });
});
