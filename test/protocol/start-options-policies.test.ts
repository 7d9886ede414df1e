import { describe, expect, it } from 'vitest';
import { parseStartOptions } from '../../src/protocol/start-options.js';
import { parseByteSize } from '../../src/protocol/byte-size.js';
import { definitionFromRequest } from '../../src/supervision/process-definition.js';

const parse = (extra: Record<string, unknown>) => parseStartOptions({ target: 'app.js', ...extra });

describe('start options: watch, memory limit, cron, log options', () => {
  it('reads memory sizes with K, M and G suffixes (powers of 1024)', () => {
    expect(parseByteSize('300M', 'm')).toBe(300 * 1024 ** 2);
    expect(parseByteSize('2G', 'm')).toBe(2 * 1024 ** 3);
    expect(parseByteSize('2048K', 'm')).toBe(2 * 1024 ** 2);
    expect(parseByteSize('80m', 'm')).toBe(80 * 1024 ** 2);
    expect(parseByteSize(5 * 1024 ** 2, 'm')).toBe(5 * 1024 ** 2);
    for (const bad of ['300X', '-1M', '1.5G', '', '12', 'M', '2000G'])
      expect(() => parseByteSize(bad, '--max-memory-restart'), bad).toThrow(
        /--max-memory-restart must be a memory size/,
      );
  });

  it('validates a cron expression of 5 or 6 fields, with one line naming the flag', () => {
    expect(parse({ cronRestart: '0 3 * * *' }).cronRestart).toBe('0 3 * * *');
    expect(parse({ cronRestart: ' */2  * * * * * ' }).cronRestart).toBe('*/2 * * * * *');
    for (const bad of ['0 3 * *', '0 3 * * * * *', '61 * * * *', 'every day', 3]) {
      let message = '';
      try {
        parseStartOptions({ target: 'a.js', cronRestart: bad }, { cronRestart: '--cron-restart' });
      } catch (error) {
        message = (error as Error).message;
        expect((error as { code?: string }).code).toBe('GUV_BAD_ARGUMENT');
      }
      expect(message, String(bad)).toMatch(
        /^--cron-restart must be a cron expression of 5 or 6 fields/,
      );
      expect(message).not.toContain('\n');
    }
  });

  it('takes --watch as true (the cwd), one path or several; ignore globs; a delay', () => {
    expect(parse({}).watch).toBeNull();
    expect(parse({ watch: true }).watch).toEqual([]);
    expect(parse({ watch: 'src' }).watch).toEqual(['src']);
    expect(
      parse({ watch: ['src', 'lib'], ignoreWatch: ['*.log'], watchDelayMs: '1s' }),
    ).toMatchObject({ watch: ['src', 'lib'], ignoreWatch: ['*.log'], watchDelayMs: 1000 });
    expect(() => parse({ watch: 5 })).toThrow(/watch must be a list of strings/);
    expect(() => parse({ watch: Array(65).fill('x') })).toThrow(/at most 64/);
  });

  it('log options: --log-time as text or boolean; log files without ".."', () => {
    expect(parse({ logTime: 'false', outFile: 'out.log' }).logTime).toBe(false);
    expect(() =>
      parseStartOptions(
        { target: 'a.js', logTime: false },
        { logTime: '--log-time', outFile: '--out-file', errorFile: '--error-file' },
      ),
    ).toThrow(/^--log-time false applies to --out-file and --error-file/);
    expect(parse({ logTime: true }).logTime).toBe(true);
    expect(parse({}).logTime).toBeNull();
    expect(() => parse({ logTime: 'no' })).toThrow(/logTime must be true or false/);
    expect(parse({ outFile: 'out.log', errorFile: '/var/log/app/err.log' })).toMatchObject({
      outFile: 'out.log',
      errorFile: '/var/log/app/err.log',
    });
    expect(() => parse({ outFile: '../etc/x' })).toThrow(/without ".."/);
    expect(() => parse({ outFile: 'logs/' })).toThrow(/not a folder/);
  });

  it('the definition resolves watch paths and log files against the cwd, and keeps them', () => {
    const request = parse({
      cwd: '/srv/app',
      watch: ['src', '/etc/app.conf'],
      maxMemoryBytes: '300M',
      cronRestart: '0 3 * * *',
      logTime: 'false',
      outFile: 'logs/out.log',
    });
    const definition = definitionFromRequest(request, 'id1', 'app', 2);
    expect(definition.triggers).toEqual({
      watch: { paths: ['/srv/app/src', '/etc/app.conf'], ignore: [], delayMs: 500 },
      maxMemoryBytes: 300 * 1024 ** 2,
      cronRestart: '0 3 * * *',
    });
    expect(definition.logs).toEqual({
      time: false,
      outFile: '/srv/app/logs/out.log',
      errorFile: null,
    });
    const cwdOnly = definitionFromRequest(parse({ cwd: '/srv/app', watch: true }), 'id2', 'b', 2);
    expect(cwdOnly.triggers?.watch?.paths).toEqual(['/srv/app']);
  });
});
