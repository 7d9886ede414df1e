/**
 * Hostile input that guv must refuse, shared by the validators' unit tests and the attack
 * suite (which sends the same values through the real CLI and socket to a real daemon).
 * Each case is `[label, value]`: the label (the value quoted and cut short, and why it is
 * hostile) names a test without pasting 100 kB into the report. Payloads that would run a
 * command touch `marker`: a test that finds the marker afterwards caught a command running.
 */
export type HostileCase = readonly [label: string, value: string];

// JSON.stringify leaves these raw; a test name carrying them would garble the report.
const RAW_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The value as JSON, cut to 60 characters, then why it is hostile. */
function labelled(cases: ReadonlyArray<readonly [value: string, why: string]>): HostileCase[] {
  return cases.map(([value, why]) => {
    const shown = JSON.stringify(value).replace(
      RAW_IN_JSON,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const short = shown.length > 60 ? `${shown.slice(0, 50)}…" (${value.length} chars)` : shown;
    return [`${short} (${why})`, value] as const;
  });
}

/** Unicode that looks like something safe, or hides what it is. */
const LOOKALIKES = [
  ['ａpp', 'fullwidth letters'],
  ['аpp', 'Cyrillic а posing as a Latin a'],
  ['a\u202egnp.js', 'right-to-left override'],
  ['a\u200bb', 'zero-width space'],
  ['a\u2215b', 'division slash posing as "/"'],
  ['a\uff0fb', 'fullwidth solidus posing as "/"'],
  ['\u2024\u2024', 'one-dot leaders posing as ".."'],
  ['a\u0085b', 'NEL, a Unicode newline'],
] as const;

/** Refused by parseAppName: not a safe folder name under the apps root. */
const APP_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['', 'empty'],
  ['a/b', 'slash'],
  ['../etc', 'parent folder'],
  ['../x', 'parent folder'],
  ['..', 'parent folder'],
  ['a..b', '".."'],
  ['.hidden', 'leading dot'],
  ['-rf', 'leading dash'],
  ['_x', 'leading underscore'],
  ['a b', 'space'],
  ['a\nb', 'newline'],
  ['a\0b', 'NUL'],
  ['a\u001b[2Jb', 'terminal escape'],
  ['é', 'non-ASCII'],
  ['a'.repeat(65), 'too long'],
  ['a'.repeat(300), 'far too long'],
  ['a\\b', 'backslash'],
  ...LOOKALIKES,
];

export const HOSTILE_APP_NAMES: readonly HostileCase[] = labelled(APP_NAMES);

/** Refused by parseProcessName (a process name is also a log folder's name). */
export const HOSTILE_PROCESS_NAMES: readonly HostileCase[] = labelled([
  ...APP_NAMES,
  ['123', 'only digits: would read as a pid'],
]);

/** Refused by parseRepoUrl: git would read them as options, run a command, or they are not URLs. */
export function hostileRepoUrls(marker = '/tmp/marker'): HostileCase[] {
  return labelled([
    ['', 'empty'],
    [`--upload-pack=touch ${marker}`, 'option'],
    ['-u', 'option'],
    [`ext::sh -c touch% ${marker}`, 'ext'],
    ['fd::3', 'fd'],
    ['file::/tmp/x', 'helper'],
    ['::x', 'empty helper'],
    ['git+foo::x', 'helper'],
    ['ftp://example.com/app', 'scheme'],
    ['foo://x/y', 'scheme'],
    ['javascript://x', 'scheme'],
    [`ssh://-oProxyCommand=touch%20${marker}/app`, 'host option'],
    ['ssh://user@-oProxyCommand=x/app', 'host option'],
    ['-oProxyCommand=x:app', 'scp option'],
    ['user@-oProxyCommand=x:app', 'scp host option'],
    [`file://--upload-pack=touch ${marker}/repo`, 'file:// host option'],
    ['file://-/srv/repo', 'file:// host "-"'],
    ['https:///app', 'no host'],
    ['https://example.com/a\nb', 'control'],
    [`file:///srv/app\n--upload-pack=touch ${marker}`, 'newline then an option'],
    ['https://example.com/\u001b[2Japp', 'terminal escape'],
    ['app\0', 'nul'],
    [`file:///srv/app\0--upload-pack=touch ${marker}`, 'nul then an option'],
    ['1http://x', 'not a url'],
    [`file:///srv/${'a'.repeat(100_000)}`, 'too long'],
  ]);
}

/** Refused by parseRef: not a branch or tag name git-check-ref-format accepts, or an option. */
export function hostileRefs(marker = '/tmp/marker'): HostileCase[] {
  return labelled([
    ['', 'empty'],
    ['-b', 'leading dash'],
    ['-x', 'leading dash'],
    ['--upload-pack=x', 'leading dash'],
    [`--upload-pack=touch ${marker}`, 'leading dash'],
    [`--output=${marker}`, 'leading dash'],
    ['--orphan=evil', 'leading dash'],
    ['@', 'lone @'],
    ['a..b', '..'],
    ['..', '..'],
    ['refs/../x', '..'],
    ['refs/heads/../../../x', '..'],
    ['a b', 'space'],
    ['a\tb', 'control'],
    ['a\nb', 'newline'],
    ['a\0b', 'NUL'],
    ['a\u001b[2Jb', 'terminal escape'],
    ['a\u007fb', 'DEL'],
    ['a~1', '~'],
    ['a^', '^'],
    ['a:b', ':'],
    ['a?', '?'],
    ['a*', '*'],
    ['a[b', '['],
    ['a\\b', 'backslash'],
    ['a@{1}', '@{'],
    ['@{-1}', '@{'],
    ['/a', 'leading slash'],
    ['a/', 'trailing slash'],
    ['a//b', 'double slash'],
    ['a.', 'trailing dot'],
    ['.a', 'leading dot'],
    ['a/.b', 'component leading dot'],
    ['a.lock', '.lock'],
    ['a.lock/b', 'component .lock'],
    ['x'.repeat(256), 'too long'],
  ]);
}
