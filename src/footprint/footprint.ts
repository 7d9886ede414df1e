import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startIdleTrim } from './idle-trim.js';

/**
 * The daemon is a long-lived, mostly idle supervisor whose one hot loop (log framing) is
 * WebAssembly: it is tuned for a small resident size, not for peak JavaScript speed.
 * - `--semi-space-growth-factor=1`: the young generation stays at its initial size instead of
 *   growing to 16 MiB per semi-space (scavenges stay cheap: the daemon allocates little, briefly).
 * - `--optimize-for-size`: V8's heap grows and keeps less slack.
 * - `--no-opt`: no TurboFan. Its compiler's code pages alone are ~3.5 MiB of resident memory
 *   once anything is optimized; measured, a 1M-line log flood then costs the daemon less CPU, not
 *   more (no compile work), and 100 apps start as fast.
 * - an idle trim (idle-trim.ts): the garbage of a burst of work is given back within seconds.
 * Set at run time, once up: V8 flags on the command line make Node compile its built-in modules
 * without their code cache (~25 ms of boot), and builtins first loaded after a flag change do
 * too, so this comes after start-up.
 */
export function tuneForSmallFootprint(onTrim?: (before: number, after: number) => void): {
  stop(): void;
} {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--optimize-for-size');
  setFlagsFromString('--no-opt');
  setFlagsFromString('--no-sparkplug');
  // `gc` exists only in contexts made after --expose-gc: a small one is made to hand it over.
  setFlagsFromString('--expose-gc');
  const collect: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  // Where a flag set at run time does not take, there is no `gc`: no trim, V8's reducer alone.
  if (typeof collect !== 'function') return { stop() {} };
  return startIdleTrim({
    collect: collect as () => void,
    heapUsed: () => getHeapStatistics().used_heap_size,
    ...(onTrim ? { onTrim } : {}),
  });
}
