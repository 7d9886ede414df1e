import { systemdWord } from './systemd-quote.js';

/** Everything a boot unit for the daemon says; every path absolute. */
export interface UnitPlan {
  /** system: root's daemon, in /etc/systemd/system; user: a user's, in ~/.config/systemd/user. */
  scope: 'system' | 'user';
  unitName: string;
  user: { name: string; uid: number };
  /** The daemon's home, said in a comment (and pinned by `env` when not the default). */
  home: { config: string; state: string; logs: string };
  /** node, then the daemon's entry: absolute paths. */
  execStart: string[];
  /** Variables the daemon needs to find its home and the programs it runs (PATH). */
  env: Record<string, string>;
  /** Time systemd gives the daemon to stop every app before it kills what is left. */
  stopTimeoutSec: number;
}

/**
 * The unit file's text, from the plan alone (no I/O). The daemon runs in the foreground (it never
 * forks itself away), so systemd supervises it as Type=simple.
 *
 * @example
 * renderUnit(planStartup({ ... })).startsWith('# guv daemon');
 */
export function renderUnit(plan: UnitPlan): string {
  const system = plan.scope === 'system';
  const env = Object.entries(plan.env).map(
    ([name, value]) => `Environment=${systemdWord(`${name}=${value}`, name)}`,
  );
  return `${[
    `# guv daemon at boot, written by 'guv startup' (remove with 'guv unstartup').`,
    `# user: ${plan.user.name} (uid ${plan.user.uid})`,
    `# home: config ${plan.home.config}, state ${plan.home.state}, logs ${plan.home.logs}`,
    '[Unit]',
    `Description=guv process manager daemon (${plan.user.name})`,
    // A user manager has no network-online.target: ordering on it there would be ignored.
    ...(system ? ['After=network-online.target', 'Wants=network-online.target'] : []),
    '',
    '[Service]',
    'Type=simple',
    ...(system ? [`User=${systemdWord(plan.user.name, 'the user name')}`] : []),
    ...env,
    `WorkingDirectory=-${systemdWord(plan.home.state, 'the state folder')}`,
    // --boot: the saved processes come back even though the machine's shutdown stopped them cleanly.
    `ExecStart=${plan.execStart.map((word) => systemdWord(word, 'ExecStart', 'exec')).join(' ')} --boot`,
    'Restart=on-failure',
    'RestartSec=2',
    // 75: another daemon holds this home's lock (one started by hand): no use restarting.
    'RestartPreventExitStatus=75',
    // mixed: SIGTERM reaches the daemon alone, which stops every app on its own stop path (each
    // with its kill timeout); only what is left after TimeoutStopSec gets SIGKILL, group-wide.
    'KillMode=mixed',
    `TimeoutStopSec=${plan.stopTimeoutSec}`,
    '',
    '[Install]',
    `WantedBy=${system ? 'multi-user.target' : 'default.target'}`,
  ].join('\n')}\n`;
}
