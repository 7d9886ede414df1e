import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_PATH, findOnPath, searchFolders } from '../../src/supervision/command-path.js';

const dir = mkdtempSync('/tmp/guvcp-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bin(folder: string, name: string, mode = 0o755): string {
  mkdirSync(join(dir, folder), { recursive: true });
  writeFileSync(join(dir, folder, name), '#!/bin/sh\n');
  chmodSync(join(dir, folder, name), mode);
  return join(dir, folder);
}

describe('searchFolders', () => {
  it('keeps only absolute entries: empty, "." and relative ones mean the current folder', () => {
    expect(searchFolders('::.:bin:/usr/bin:./x:/bin:')).toEqual(['/usr/bin', '/bin']);
  });

  it('uses a standard PATH when the caller sent none, and caps the entries', () => {
    expect(searchFolders(undefined)).toEqual(DEFAULT_PATH.split(':'));
    expect(searchFolders(Array.from({ length: 500 }, (_, i) => `/p${i}`).join(':'))).toHaveLength(
      128,
    );
  });
});

describe('findOnPath', () => {
  it('takes the first executable file, as execvp does', () => {
    const first = bin('a', 'tool', 0o644);
    const second = bin('b', 'tool');
    expect(findOnPath('tool', `${first}:${second}`, { owners: null })).toBe(join(second, 'tool'));
  });

  it('refuses in one line naming the command when nothing is found', () => {
    expect(() => findOnPath('nothing-here', `${dir}/a`, { owners: null })).toThrow(
      /"nothing-here" is neither a file here nor a command in the absolute folders of PATH/,
    );
  });

  it('passes over a folder everyone may write when only trusted owners may provide it', () => {
    const open = bin('open', 'tool2');
    chmodSync(open, 0o777);
    const uid = process.getuid?.() ?? 0;
    expect(() => findOnPath('tool2', open, { owners: [uid] })).toThrow(/writable by everyone/);
    expect(findOnPath('tool2', open, { owners: null })).toBe(join(open, 'tool2'));
  });
});
