import { describe, expect, it } from 'vitest';
import { commandNamed } from '../../src/cli/command-table.js';
import { START_FLAG_NAMES, START_FLAGS } from '../../src/protocol/start-flags.js';
import { parseStartOptions } from '../../src/protocol/start-options.js';

// One table of start flags (src/protocol/start-flags.ts): `guv start`'s options are built from
// it, and the messages naming a flag (the parser's, the daemon's "exists already") read it.
describe('START_FLAGS', () => {
  it('every start flag is an option of guv start, spelled the same', () => {
    const flags = (commandNamed('start')?.options ?? []).map((option) => option.flags);
    for (const flag of Object.values(START_FLAGS)) {
      const spelled = flags.find((f) => f.split(/[ ,]+/).includes(flag.long));
      expect(spelled, flag.long).toBeDefined();
      if ('short' in flag) expect(spelled).toContain(`${flag.short}, ${flag.long}`);
    }
  });

  it("the parser's errors name the field by its flag", () => {
    expect(() =>
      parseStartOptions({ target: 'a.js', killTimeoutMs: 'soon' }, START_FLAG_NAMES),
    ).toThrow(/--kill-timeout/);
    expect(() =>
      parseStartOptions({ target: 'a.js', policy: { maxFailures: '1s' } }, START_FLAG_NAMES),
    ).toThrow(/--max-restarts/);
  });
});
