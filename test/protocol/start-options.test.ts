import { describe, expect, it } from 'vitest';
import { GuvClient } from '../../src/client/api.js';
import type { Connection } from '../../src/client/connection.js';
import { parseStartOptions } from '../../src/protocol/start-options.js';

describe('parseStartOptions: the one start-option parser', () => {
  it('reads policy counts as counts and durations with units', () => {
    const request = parseStartOptions({
      target: 'app.js',
      killTimeoutMs: '2s',
      startTimeoutMs: 700,
      policy: { maxFailures: '5', windowMs: '10m', stableMs: '1h', backoffBaseMs: '250ms' },
    });
    expect(request.policy).toEqual({
      maxFailures: 5,
      windowMs: 600_000,
      stableMs: 3_600_000,
      backoffBaseMs: 250,
    });
    expect(request.killTimeoutMs).toBe(2000);
    expect(request.startTimeoutMs).toBe(700);
  });

  it('refuses a duration as a failure count, naming the field as the caller spells it', () => {
    expect(() => parseStartOptions({ target: 'a.js', policy: { maxFailures: '1s' } })).toThrow(
      /^policy\.maxFailures must be a whole number of failures from 0 to 1000000, got "1s"$/,
    );
    expect(() =>
      parseStartOptions(
        { target: 'a.js', policy: { maxFailures: 2.5 } },
        { 'policy.maxFailures': '--max-restarts' },
      ),
    ).toThrow(/^--max-restarts must be a whole number of failures/);
    expect(() => parseStartOptions({ target: 'a.js', policy: { windowMs: '25h' } })).toThrow(
      /policy\.windowMs must be a duration from 0 to 24h/,
    );
  });

  it('refuses with GUV_BAD_ARGUMENT, and parsing its own answer gives the same answer', () => {
    let error: unknown;
    try {
      parseStartOptions({ target: 'a.js', instances: 'lots' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'GUV_BAD_ARGUMENT' });
    const once = parseStartOptions({ target: 'a.js', instances: '4', restart: 'never', env: {} });
    expect(parseStartOptions(once)).toEqual(once);
  });

  it('the client checks options before anything is sent', async () => {
    const sent: string[] = [];
    const connection = {
      requestUnchecked: async (method: string) => {
        sent.push(method);
        return {};
      },
    } as unknown as Connection;
    const client = new GuvClient(connection);
    await expect(
      client.startProcess('app.js', { policy: { maxFailures: 1.5 } }),
    ).rejects.toMatchObject({
      code: 'GUV_BAD_ARGUMENT',
      message: expect.stringMatching(/^policy\.maxFailures must be a whole number of failures/),
    });
    expect(sent).toEqual([]);
  });
});
