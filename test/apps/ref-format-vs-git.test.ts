import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { refFormatProblem } from '../../src/apps/validate.js';

const samples = [
  'main',
  'v1.0.0',
  'feature/x',
  'a/b/c',
  'HEAD',
  'x@y',
  'a-b',
  'a_b',
  'ü',
  'a.b',
  '@',
  'a..b',
  'a b',
  'a~',
  'a^',
  'a:b',
  'a?',
  'a*',
  'a[',
  'a\\b',
  'a@{',
  '/a',
  'a/',
  'a//b',
  'a.',
  '.a',
  'a/.b',
  'a.lock',
  'a.lock/b',
  'a/b.lock',
  'a\tb',
  'lock',
  '.lock',
  'a.lockx',
  'x/.',
  'x/..',
  '@{',
  '@@',
  'a@',
  '{}',
  'a{b}',
  '#',
  '%',
  'a$b',
  '!',
  'a"b',
  "a'b",
];

function gitAccepts(ref: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--allow-onelevel', ref], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('parseRef agrees with git check-ref-format --allow-onelevel', () => {
  it.each(samples)('%j', (ref) => {
    expect(refFormatProblem(ref) === null).toBe(gitAccepts(ref));
  });
});
