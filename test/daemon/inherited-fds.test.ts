import { describe, expect, it } from 'vitest';
import { daemonStdio } from '../../src/client/autostart.js';
import { isCloseOnExec } from '../../src/protocol/inherited-fds.js';

describe('inherited descriptors', () => {
  it('reads O_CLOEXEC from the octal flags of an fdinfo', () => {
    expect(isCloseOnExec('pos:\t0\nflags:\t02100000\nmnt_id:\t25\n')).toBe(true);
    expect(isCloseOnExec('pos:\t0\nflags:\t0100000\nmnt_id:\t25\n')).toBe(false);
    expect(isCloseOnExec('pos:\t0\n')).toBe(false);
  });

  it('covers each inherited descriptor with the daemon log, past the IPC channel', () => {
    expect(daemonStdio(9, [])).toEqual(['ignore', 9, 9, 'ipc']);
    expect(daemonStdio(9, [3, 6, 5000])).toEqual(['ignore', 9, 9, 'ipc', 'ignore', 'ignore', 9]);
  });
});
