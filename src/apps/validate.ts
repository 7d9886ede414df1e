import { isAbsolute, resolve } from 'node:path';
import { GuvError } from '../errors.js';

const APP_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;

/**
 * An app name is also a folder name under the apps root: letters, digits, `.`, `_`, `-`,
 * starting with a letter or digit, at most 64 characters, never `..`.
 *
 * @example
 * parseAppName('my-app'); // 'my-app'
 * parseAppName('../etc'); // throws GUV_BAD_APP_NAME
 */
export function parseAppName(value: string): string {
  if (typeof value !== 'string' || !APP_NAME.test(value) || value.includes('..')) {
    throw new GuvError(
      'GUV_BAD_APP_NAME',
      `invalid app name ${show(value)}: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return value;
}

/** Longer than any path git can clone from (PATH_MAX) or any sane URL. */
export const MAX_REPO_URL_LENGTH = 4096;

const SCHEME_URL = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s;
const ALLOWED_SCHEMES = new Set(['https', 'http', 'ssh', 'git', 'file']);
// git (transport.c): a scheme-like prefix, even an empty one, followed by `::` picks a remote helper.
const REMOTE_HELPER = /^[a-zA-Z0-9+.-]*::/;
// git treats `[user@]host:path` as scp-like ssh when the first `:` comes before any `/`.
const SCP_LIKE = /^(?:([^@/:]+)@)?([^@/:[\]]+|\[[^\]/]+\]):(.*)$/s;

export interface ParseRepoUrlOptions {
  /** Resolve a relative local path against this folder (the CLI user's cwd). */
  cwd?: string;
}

/**
 * Accept a repository location git may clone: `https://`, `http://`, `ssh://`, `git://`,
 * `file://` URLs, scp-like `user@host:path`, and local paths. Refuse anything that git could
 * read as an option (a leading `-`, also in the host part), remote helpers (`ext::`, `fd::`,
 * any `<transport>::`), other schemes, control characters, and more than 4096 characters.
 *
 * @example
 * parseRepoUrl('git@github.com:me/app.git'); // unchanged
 * parseRepoUrl('ext::sh -c touch% /tmp/x'); // throws GUV_BAD_REPO_URL
 */
export function parseRepoUrl(value: string, options: ParseRepoUrlOptions = {}): string {
  const refuse = (why: string): never => {
    throw new GuvError('GUV_BAD_REPO_URL', `refusing repository URL ${show(value)}: ${why}`);
  };
  if (typeof value !== 'string' || value.length === 0) return refuse('it is empty');
  if (value.length > MAX_REPO_URL_LENGTH) {
    throw new GuvError(
      'GUV_BAD_REPO_URL',
      `refusing repository URL ${show(value.slice(0, 60))}…: it is longer than ${MAX_REPO_URL_LENGTH} characters`,
    );
  }
  if (value.startsWith('-')) return refuse('it starts with "-" and git would read it as an option');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return refuse('it contains control characters');
  if (REMOTE_HELPER.test(value)) return refuse('"<transport>::" remote helpers are not allowed');

  const url = SCHEME_URL.exec(value);
  if (url) {
    const scheme = url[1]!.toLowerCase();
    if (!ALLOWED_SCHEMES.has(scheme)) {
      return refuse(`scheme "${scheme}" is not one of ${[...ALLOWED_SCHEMES].join(', ')}`);
    }
    const authority = url[2]!.split('/')[0]!;
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    if (authority.startsWith('-') || host.startsWith('-')) {
      return refuse('its host starts with "-"');
    }
    if (scheme !== 'file' && host.length === 0) return refuse('it has no host');
    return value;
  }
  if (value.includes('://')) return refuse('it is not a URL git understands');

  const slash = value.indexOf('/');
  const colon = value.indexOf(':');
  const looksScp = colon > 0 && (slash === -1 || colon < slash);
  if (looksScp) {
    const scp = SCP_LIKE.exec(value);
    if (!scp) return refuse('it is neither a URL, user@host:path nor a local path');
    const [, user, host] = scp;
    if (user?.startsWith('-') || host!.startsWith('-')) return refuse('its host starts with "-"');
    return value;
  }
  // A local path; resolved so a daemon with another cwd clones the same folder.
  if (options.cwd && !isAbsolute(value)) return resolve(options.cwd, value);
  return value;
}

/**
 * A branch or tag name as `git check-ref-format --allow-onelevel` accepts it, and never
 * starting with `-`.
 *
 * @example
 * parseRef('v1.2.0'); // 'v1.2.0'
 * parseRef('--upload-pack=x'); // throws GUV_BAD_REF
 */
export function parseRef(value: string): string {
  const why = refFormatProblem(value);
  if (why) throw new GuvError('GUV_BAD_REF', `invalid ref ${show(value)}: ${why}`);
  return value;
}

/** Why `value` is not a usable ref name, or null when it is. The rules of git-check-ref-format. */
export function refFormatProblem(value: string): string | null {
  if (typeof value !== 'string' || value.length === 0) return 'it is empty';
  if (value.length > 255) return 'it is longer than 255 characters';
  if (value.startsWith('-')) return 'it starts with "-"';
  if (value === '@') return 'it is "@"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: check-ref-format refuses them
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(value)) {
    return 'it contains a space, a control character or one of ~ ^ : ? * [ \\';
  }
  if (value.includes('..')) return 'it contains ".."';
  if (value.includes('@{')) return 'it contains "@{"';
  if (value.startsWith('/') || value.endsWith('/') || value.includes('//')) {
    return 'it starts or ends with "/" or contains "//"';
  }
  if (value.endsWith('.')) return 'it ends with "."';
  for (const part of value.split('/')) {
    if (part.startsWith('.')) return 'a part starts with "."';
    if (part.endsWith('.lock')) return 'a part ends with ".lock"';
  }
  return null;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
