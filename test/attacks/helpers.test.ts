import { execFileSync } from 'node:child_process';
import { describe, expect } from 'vitest';
import { createThrowawayUser, rootIt, runAs } from './helpers.js';

describe('attack suite helpers', () => {
  rootIt('creates a throwaway user that runs commands as itself, and removes it', () => {
    const user = createThrowawayUser('h');
    try {
      expect(user.uid).toBeGreaterThan(0);
      expect(runAs(user, 'id', ['-u']).stdout.trim()).toBe(String(user.uid));
    } finally {
      user.remove();
    }
    expect(() => execFileSync('id', [user.name], { stdio: 'ignore' })).toThrow();
  });
});
