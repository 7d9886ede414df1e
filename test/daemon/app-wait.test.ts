import { describe, expect, it } from 'vitest';
import { answerOf, APP_TIMEOUTS_MS } from '../../src/apps/service/app-wait.js';
import type { AppInfo } from '../../src/types/info.js';

const app: AppInfo = {
  name: 'web',
  url: 'https://example.com/web.git',
  user: null,
  ref: 'v1',
  commit: 'c1',
  dir: '/apps/web',
};

describe('answerOf: the answer to a request in an app chart outcome', () => {
  it('is undefined while the request runs, the success once it ended well', () => {
    expect(answerOf(null, 'install')).toBeUndefined();
    const switched = { ok: true, operation: 'setRef', app, oldRef: 'v0', newRef: 'v1' } as const;
    expect(answerOf(switched, 'setRef')).toBe(switched);
  });

  it('throws the failure with its own GUV code, GUV_APP_FAILED for any other', () => {
    const failed = (code: string | undefined) =>
      ({
        ok: false,
        operation: 'setRef',
        app,
        error: { name: 'Error', message: 'npm install failed', ...(code ? { code } : {}) },
        reverted: true,
      }) as const;
    expect(() => answerOf(failed('GUV_REF_NOT_FOUND'), 'setRef')).toThrow(
      expect.objectContaining({ code: 'GUV_REF_NOT_FOUND', message: 'npm install failed' }),
    );
    expect(() => answerOf(failed('EACCES'), 'setRef')).toThrow(
      expect.objectContaining({ code: 'GUV_APP_FAILED' }),
    );
    expect(() => answerOf(failed(undefined), 'setRef')).toThrow(
      expect.objectContaining({ code: 'GUV_APP_FAILED' }),
    );
  });

  it("never takes another request's outcome for this one's", () => {
    expect(() => answerOf({ ok: true, operation: 'remove', app }, 'setRef')).toThrow(
      expect.objectContaining({ code: 'GUV_CHART_FAILED' }),
    );
  });

  it('gives installs and ref switches (npm) the longest deadlines, under the client 30 minutes', () => {
    for (const ms of Object.values(APP_TIMEOUTS_MS)) expect(ms).toBeLessThan(30 * 60_000);
    expect(APP_TIMEOUTS_MS.install).toBeGreaterThanOrEqual(APP_TIMEOUTS_MS.updateRefs);
    expect(APP_TIMEOUTS_MS.setRef).toBe(APP_TIMEOUTS_MS.install);
  });
});
