/**
 * Config keys that make git run a program of the config's choosing, each set to a value that
 * runs nothing. Given as command-scope config, they outrank a repository's own .git/config.
 * Filters, diff and merge drivers have per-name keys no override can list; they are left
 * with no definition instead (see {@link rootGitEnv}).
 */
const PROGRAM_KEYS: ReadonlyArray<readonly [key: string, value: string]> = [
  ['core.fsmonitor', ''],
  ['core.hooksPath', '/dev/null'],
  ['core.sshCommand', 'ssh'],
  ['core.askPass', ''],
  ['credential.helper', ''],
  ['protocol.ext.allow', 'never'],
];

/**
 * The environment git needs when it runs as root for code nobody vetted (guv's own git calls
 * for an app without a user, and the git npm runs for its dependencies): no system or global
 * config, where `git lfs install` defines a filter a repository's .gitattributes can ask for
 * and where hooksPath, fsmonitor or credential helpers name programs, and
 * {@link PROGRAM_KEYS} overridden. The only config left is the clone's own .git/config,
 * which git writes and only root may change.
 */
export function rootGitEnv(): Record<string, string> {
  const env: Record<string, string> = {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: String(PROGRAM_KEYS.length),
  };
  PROGRAM_KEYS.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}
