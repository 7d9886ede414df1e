import { describe, expect, it } from 'vitest';
import { fixture, guv, useSharedDaemon, type TestHome } from '../helpers/daemon-harness.js';

// Issue 14, "Honest results": a script that prints a line and exits 0 at once, through the real
// CLI and a real daemon. Under `--restart always` that is a restart loop (not a server); under
// `never` or `on-failure` a clean exit is what was asked for.

let home: TestHome;

useSharedDaemon((shared) => {
  home = shared.home;
});

describe('guv start of a script that exits 0 at once', () => {
  it('under the default restart policy: a loop, said in words, with a non-zero exit', async () => {
    const result = await guv(home, ['start', fixture('done.js'), '-n', 'done']);
    try {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        /^guv: done exited with code 0 right after start, 3 times \(it is not a server\?\)/,
      );
      expect(result.stderr).not.toMatch(/crashed|is running|Error/);
    } finally {
      await guv(home, ['remove', 'done']);
    }
  }, 60_000);

  for (const policy of ['never', 'on-failure']) {
    it(`with --restart ${policy}: it ran and exited with code 0, and the start succeeds`, async () => {
      const name = `done-${policy}`;
      const result = await guv(home, [
        'start',
        fixture('done.js'),
        '-n',
        name,
        '--restart',
        policy,
      ]);
      try {
        expect(result).toMatchObject({ code: 0, stderr: '' });
        expect(result.stdout).toMatch(
          new RegExp(`^${name} \\[[\\w-]+\\] ran and exited with code 0\\n$`),
        );
        const list = JSON.parse((await guv(home, ['list', '--json'])).stdout) as Array<{
          name: string;
          status: string;
          restarts: number;
        }>;
        expect(list.find((p) => p.name === name)).toMatchObject({ status: 'stopped' });
      } finally {
        await guv(home, ['remove', name]);
      }
    }, 60_000);
  }
});
