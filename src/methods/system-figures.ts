import { cpus, freemem, hostname, loadavg, platform, totalmem, uptime } from 'node:os';
import type { SystemFigures } from '../protocol/replies.js';

/** The machine's figures for `status` (the dashboard's hosts page). */
export function systemFigures(): SystemFigures {
  let total = 0;
  let idle = 0;
  const list = cpus();
  for (const cpu of list) {
    const t = cpu.times;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
    idle += t.idle;
  }
  return {
    hostname: hostname(),
    platform: platform(),
    cpus: list.length,
    cpuTimes: { total, idle },
    loadavg: loadavg(),
    totalmem: totalmem(),
    freemem: freemem(),
    uptimeSeconds: Math.round(uptime()),
  };
}
