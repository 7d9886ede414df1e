import { describe, expect, it } from 'vitest';
import { parseDashboardConfig } from '../../src/dashboard/config.js';
import { hashPassword, verifyPassword } from '../../src/dashboard/passwords.js';
import { createSessionStore } from '../../src/dashboard/sessions.js';
import { createLoginThrottle } from '../../src/dashboard/throttle.js';

describe('dashboard passwords', () => {
  it('stores an scrypt hash that verifies the password and nothing else', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]{43}$/);
    expect(stored).not.toContain('correct');
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(stored);
  });

  it('refuses a tampered hash whose cost would stall the dashboard', async () => {
    const stored = await hashPassword('pw-pw-pw-pw');
    const huge = stored.replace('$32768$', `$${2 ** 24}$`);
    expect(await verifyPassword('pw-pw-pw-pw', huge)).toBe(false);
    expect(await verifyPassword('pw-pw-pw-pw', 'plain')).toBe(false);
  });
});

describe('dashboard sessions', () => {
  it('expire after their lifetime and need their CSRF token', () => {
    let now = 1_000;
    const store = createSessionStore({ ttlMs: 60_000, now: () => now });
    const { cookie, csrf } = store.create('alice');
    expect(store.check(cookie, csrf)?.user).toBe('alice');
    expect(store.check(cookie, null)).toBeNull();
    expect(store.check(cookie, `${csrf.slice(1)}x`)).toBeNull();
    now += 59_999;
    expect(store.check(cookie, csrf)).not.toBeNull();
    now += 1;
    expect(store.check(cookie, csrf)).toBeNull();
  });

  it('end at logout', () => {
    const store = createSessionStore({ ttlMs: 60_000 });
    const { cookie, csrf } = store.create('alice');
    store.destroy(cookie);
    expect(store.check(cookie, csrf)).toBeNull();
  });
});

describe('the login throttle', () => {
  it('locks a key after 5 failures until the window ends', () => {
    let now = 0;
    const throttle = createLoginThrottle({ now: () => now });
    for (let i = 0; i < 5; i++) {
      expect(throttle.allowed('user:alice')).toBe(true);
      throttle.failed('user:alice');
    }
    expect(throttle.allowed('user:alice')).toBe(false);
    expect(throttle.allowed('user:bob')).toBe(true);
    now += 15 * 60_000 + 1;
    expect(throttle.allowed('user:alice')).toBe(true);
  });
});

describe('dashboard.json', () => {
  it('defaults to the local daemon and checks every host', () => {
    expect(parseDashboardConfig({}, '/tmp/h').hosts).toEqual([{ name: 'local', home: '/tmp/h' }]);
    expect(() => parseDashboardConfig({ hosts: [{ name: 'a', home: 'relative' }] }, null)).toThrow(
      /hosts\[0\]\.home/,
    );
    expect(() =>
      parseDashboardConfig(
        {
          hosts: [
            { name: 'a', home: '/x' },
            { name: 'a', home: '/y' },
          ],
        },
        null,
      ),
    ).toThrow(/listed twice/);
    expect(() =>
      parseDashboardConfig(
        { hosts: [{ name: 'r', host: 'h', port: 0, user: 'u', secret: 's', fingerprint: 'f' }] },
        null,
      ),
    ).toThrow(/port/);
  });
});
