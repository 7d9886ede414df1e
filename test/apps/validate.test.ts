import { describe, expect, it } from 'vitest';
import { parseAppName, parseRef, parseRepoUrl, refFormatProblem } from '../../src/apps/validate.js';
import { GuvError } from '../../src/errors.js';
import { HOSTILE_APP_NAMES, hostileRefs, hostileRepoUrls } from '../helpers/hostile-input.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GuvError);
    return (error as GuvError).code;
  }
  return undefined;
}

describe('parseAppName', () => {
  it.each(['a', 'shop', 'my-app', 'my_app', 'App.v2', '9lives', 'a'.repeat(64)])(
    'accepts %j',
    (name) => {
      expect(parseAppName(name)).toBe(name);
    },
  );

  it.each(HOSTILE_APP_NAMES)('refuses %s', (_, name) => {
    expect(codeOf(() => parseAppName(name))).toBe('GUV_BAD_APP_NAME');
  });

  it('names the value in the message', () => {
    expect(() => parseAppName('a/b')).toThrow(/invalid app name "a\/b"/);
  });
});

describe('parseRepoUrl', () => {
  it.each([
    'https://github.com/me/app.git',
    'http://gitea.local/me/app',
    'ssh://git@github.com/me/app.git',
    'ssh://git@[::1]:22/me/app.git',
    'git://example.com/app.git',
    'file:///srv/repos/app',
    'git@github.com:me/app.git',
    'github.com:me/app.git',
    '/srv/repos/app',
    './app',
    '../repos/app',
    'app',
    './odd:name',
    'HTTPS://Example.com/app',
  ])('accepts %j', (url) => {
    expect(parseRepoUrl(url)).toBe(url);
  });

  it.each(hostileRepoUrls())('refuses %s', (_, url) => {
    expect(codeOf(() => parseRepoUrl(url))).toBe('GUV_BAD_REPO_URL');
  });

  it('names the value and the reason', () => {
    expect(() => parseRepoUrl('ext::sh')).toThrow(
      'refusing repository URL "ext::sh": "<transport>::" remote helpers are not allowed',
    );
  });

  it('resolves a relative local path against cwd', () => {
    expect(parseRepoUrl('../repo', { cwd: '/home/me/work' })).toBe('/home/me/repo');
    expect(parseRepoUrl('/abs/repo', { cwd: '/x' })).toBe('/abs/repo');
    expect(parseRepoUrl('git@h:repo', { cwd: '/x' })).toBe('git@h:repo');
  });
});

describe('parseRef', () => {
  it.each([
    'main',
    'v1.2.3',
    'feature/login',
    'release/2024/q1',
    'a-b_c',
    'HEAD',
    'v1@2',
    'x.y',
    'refs/tags/v1',
  ])('accepts %j', (ref) => {
    expect(parseRef(ref)).toBe(ref);
  });

  it.each(hostileRefs())('refuses %s', (_, ref) => {
    expect(codeOf(() => parseRef(ref))).toBe('GUV_BAD_REF');
    expect(refFormatProblem(ref)).not.toBeNull();
  });

  it('names the value', () => {
    expect(() => parseRef('-x')).toThrow('invalid ref "-x": it starts with "-"');
  });
});
