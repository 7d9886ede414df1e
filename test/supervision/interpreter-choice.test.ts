import { describe, expect, it } from 'vitest';
import { chooseInterpreter } from '../../src/supervision/interpreter-choice.js';
import { parseInterpreter } from '../../src/protocol/start-options.js';

describe('chooseInterpreter', () => {
  it('goes by extension as pm2 does when no interpreter is given', () => {
    expect(chooseInterpreter(null, '/srv/a/server.js')).toEqual({
      kind: 'node',
      typescript: false,
    });
    expect(chooseInterpreter(null, '/srv/a/server.mjs')).toEqual({
      kind: 'node',
      typescript: false,
    });
    for (const script of ['/a/x.ts', '/a/x.mts', '/a/x.cts', '/a/X.TS'])
      expect(chooseInterpreter(null, script)).toEqual({ kind: 'node', typescript: true });
    expect(chooseInterpreter(null, '/a/job.sh')).toEqual({ kind: 'command', command: 'bash' });
    expect(chooseInterpreter(null, '/a/job.py')).toEqual({ kind: 'command', command: 'python3' });
    expect(chooseInterpreter(null, '/usr/bin/npm')).toEqual({ kind: 'none' });
    expect(chooseInterpreter(null, '/a/bin/www')).toEqual({ kind: 'none' });
  });

  it('--interpreter node is never ignored: any file runs under node, .ts with a loader', () => {
    expect(chooseInterpreter('node', '/a/bin/www')).toEqual({ kind: 'node', typescript: false });
    expect(chooseInterpreter('node', '/a/x.ts')).toEqual({ kind: 'node', typescript: true });
  });

  it('tsx and ts-node mean node with that loader, so the wrapper still loads', () => {
    expect(chooseInterpreter('tsx', '/a/x.ts')).toEqual({ kind: 'node', typescript: true });
    expect(chooseInterpreter('/p/node_modules/.bin/ts-node', '/a/x.ts')).toEqual({
      kind: 'node',
      typescript: true,
    });
  });

  it('none and any other interpreter are taken as given', () => {
    expect(chooseInterpreter('none', '/a/x.js')).toEqual({ kind: 'none' });
    expect(chooseInterpreter('bash', '/a/x.py')).toEqual({ kind: 'command', command: 'bash' });
    expect(chooseInterpreter('/opt/py/bin/python', '/a/x')).toEqual({
      kind: 'command',
      command: '/opt/py/bin/python',
    });
  });
});

describe('parseInterpreter', () => {
  it('accepts node, none, command names and absolute paths', () => {
    for (const value of [
      'node',
      'none',
      'bash',
      'python3',
      'tsx',
      'ts-node',
      'g++',
      '/usr/bin/env',
    ])
      expect(parseInterpreter(value)).toBe(value);
    expect(parseInterpreter(undefined)).toBeNull();
  });

  it('refuses relative paths, options and odd characters, naming the field', () => {
    for (const value of ['./bash', 'bin/bash', '-e', '.hidden', '/a/../b', 'a b', '', 'x\0', 3])
      expect(() => parseInterpreter(value, '--interpreter')).toThrow(/--interpreter must be/);
  });
});
