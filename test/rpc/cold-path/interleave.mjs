// Runs each command in turn, round after round (so load changes hit all of them alike), and
// prints the median wall time of each, relative to the first.
// Usage: node interleave.mjs ROUNDS 'cmd a' 'cmd b' … ; PREPARE='cmd' runs before each command.
import { spawnSync } from 'node:child_process';

const [rounds, ...commands] = process.argv.slice(2);
const samples = commands.map(() => ({ wall: [] }));
const run = (command) => spawnSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
for (let round = 0; round < Number(rounds); round++) {
  commands.forEach((command, i) => {
    if (process.env.PREPARE) run(process.env.PREPARE);
    const start = process.hrtime.bigint();
    const result = spawnSync('/bin/sh', ['-c', `exec ${command}`], { stdio: 'ignore' });
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${command} exited with ${result.status}`);
    samples[i].wall.push(wall);
  });
}
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(samples[0].wall);
commands.forEach((command, i) => {
  const m = median(samples[i].wall);
  console.log(`${(m / base).toFixed(2)}x  median ${m.toFixed(1)} ms  ${command.split('/').pop()}`);
});
