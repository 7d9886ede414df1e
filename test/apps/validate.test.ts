import { describe, expect, it } from 'vitest';
import { parseAppName, parseRef, parseRepoUrl, refFormatProblem } from '../../src/apps/validate.js';
import { GuvError } from '../../src/errors.js';

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

  it.each([
    '',
    'a/b',
    '../etc',
    '..',
    'a..b',
    '.hidden',
    '-rf',
    '_x',
    'a b',
    'a\nb',
    'é',
    'a'.repeat(65),
    'a\\b',
  ])('refuses %j', (name) => {
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

  it.each([
    ['', 'empty'],
    ['--upload-pack=touch /tmp/marker', 'option'],
    ['-u', 'option'],
    ['ext::sh -c touch% /tmp/marker', 'ext'],
    ['fd::3', 'fd'],
    ['file::/tmp/x', 'helper'],
    ['::x', 'empty helper'],
    ['git+foo::x', 'helper'],
    ['ftp://example.com/app', 'scheme'],
    ['foo://x/y', 'scheme'],
    ['javascript://x', 'scheme'],
    ['ssh://-oProxyCommand=touch%20x/app', 'host option'],
    ['ssh://user@-oProxyCommand=x/app', 'host option'],
    ['-oProxyCommand=x:app', 'scp option'],
    ['user@-oProxyCommand=x:app', 'scp host option'],
    ['https:///app', 'no host'],
    ['https://example.com/a\nb', 'control'],
    ['app\0', 'nul'],
    ['1http://x', 'not a url'],
  ])('refuses %j (%s)', (url) => {
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

  it.each([
    ['', 'empty'],
    ['-b', 'leading dash'],
    ['--upload-pack=x', 'leading dash'],
    ['@', 'lone @'],
    ['a..b', '..'],
    ['a b', 'space'],
    ['a\tb', 'control'],
    ['a\u007fb', 'DEL'],
    ['a~1', '~'],
    ['a^', '^'],
    ['a:b', ':'],
    ['a?', '?'],
    ['a*', '*'],
    ['a[b', '['],
    ['a\\b', 'backslash'],
    ['a@{1}', '@{'],
    ['/a', 'leading slash'],
    ['a/', 'trailing slash'],
    ['a//b', 'double slash'],
    ['a.', 'trailing dot'],
    ['.a', 'leading dot'],
    ['a/.b', 'component leading dot'],
    ['a.lock', '.lock'],
    ['a.lock/b', 'component .lock'],
    ['x'.repeat(256), 'too long'],
  ])('refuses %j (%s)', (ref) => {
    expect(codeOf(() => parseRef(ref))).toBe('GUV_BAD_REF');
    expect(refFormatProblem(ref)).not.toBeNull();
  });

  it('names the value', () => {
    expect(() => parseRef('-x')).toThrow('invalid ref "-x": it starts with "-"');
  });
});
