import { DEFAULT_TIMEOUTS } from '../machines/process/supervision-context.js';
import { restartDelayPolicy } from '../machines/restart-delays.js';
import { DEFAULT_RESTART_POLICY, formatDuration } from '../machines/restart-policy.js';
import type { EcosystemPlan, PlannedApp } from './ecosystem.js';

// What `guv validate` prints: each process with the numbers guv will use, then the warnings.

function quoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word);
}

function describeApp({ name, request, envKeys, after }: PlannedApp): string[] {
  // No interpreter: guv picks one by the script's extension; a .js file runs under node.
  const chosen = request.interpreter ?? (/\.[cm]?js$/.test(request.target) ? 'node' : 'none');
  const interpreter = chosen === 'none' ? [] : [chosen];
  const command = [...interpreter, ...request.execArgv, request.target, ...request.args]
    .map(quoted)
    .join(' ');
  const kind =
    request.instances === null
      ? 'one process'
      : `a cluster of ${request.instances === 'max' ? 'one worker per CPU' : `${request.instances} workers`}`;
  const policy = { ...DEFAULT_RESTART_POLICY, ...request.policy, ...restartDelayPolicy(request) };
  const restart = request.restart ?? 'always';
  const backoff =
    policy.backoffBaseMs === policy.backoffCapMs
      ? `${formatDuration(policy.backoffBaseMs)} between restarts`
      : policy.restartDelayMs > 0
        ? `${formatDuration(policy.restartDelayMs)} first, then ×${policy.backoffFactor} up to ${formatDuration(policy.backoffCapMs)}`
        : `${formatDuration(policy.backoffBaseMs)} ×${policy.backoffFactor} up to ${formatDuration(policy.backoffCapMs)}`;
  const account = [
    request.user && `user ${request.user}`,
    request.group && `group ${request.group}`,
  ]
    .filter(Boolean)
    .join(', ');
  return [
    `${name}: ${kind}: ${command}`,
    `  cwd: ${request.cwd}`,
    `  restart: ${restart}; more than ${policy.maxFailures} failures in ${formatDuration(policy.windowMs)} abort; stable after ${formatDuration(policy.stableMs)} up; backoff ${backoff}`,
    `  stop: SIGTERM, SIGKILL after ${formatDuration(request.killTimeoutMs ?? DEFAULT_TIMEOUTS.killMs)}; start timeout ${formatDuration(request.startTimeoutMs ?? DEFAULT_TIMEOUTS.startMs)}${request.appReadiness ? `; ready when it sends process.send('ready') (else after ${formatDuration(request.listenTimeoutMs ?? 3000)})` : ''}`,
    ...(account ? [`  runs as: ${account}`] : []),
    `  env: ${envKeys.length === 0 ? '(none)' : [...envKeys].sort().join(', ')}`,
    ...(after && after.length > 0 ? [`  starts once running: ${after.join(', ')}`] : []),
  ];
}

/**
 * The plan as lines of text: one block per process, then the warnings.
 *
 * @example
 * describePlan('ecosystem.config.js', plan).join('\n');
 */
export function describePlan(file: string, plan: EcosystemPlan): string[] {
  const count = plan.apps.length;
  return [
    `${file}: ${count} ${count === 1 ? 'process' : 'processes'}`,
    ...plan.apps.flatMap(describeApp),
    ...(plan.warnings.length === 0
      ? ['no warnings']
      : [`${plan.warnings.length} warning(s):`, ...plan.warnings.map((w) => `  ${w}`)]),
  ];
}
