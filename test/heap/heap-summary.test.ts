import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeavyWorkPool, type HeavyWorkPool } from '../../src/heap/pool.js';
import { scanHeapSnapshot, summariseHeapSnapshot } from '../../src/heap/snapshot-scan.js';
import { ensureHeavyWorkerBuilt } from './build-worker.js';
import { writeSnapshotWith } from './write-snapshot.js';

let dir: string;
let snapshot: string;
let pool: HeavyWorkPool;

beforeAll(async () => {
  ensureHeavyWorkerBuilt();
  dir = mkdtempSync(join(tmpdir(), 'guv-heap-'));
  snapshot = join(dir, 'leaky.heapsnapshot');
  await writeSnapshotWith(snapshot, { className: 'Leaky', count: 100_000 });
  pool = createHeavyWorkPool({ idleMs: 200 });
}, 60_000);

afterAll(async () => {
  await pool?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** The same grouping done the simple way: the whole file through JSON.parse. */
function referenceGroups(path: string): Map<string, { count: number; selfSize: number }> {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const fields: string[] = json.snapshot.meta.node_fields;
  const types: string[] = json.snapshot.meta.node_types[0];
  const [t, n, s] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const groups = new Map<string, { count: number; selfSize: number }>();
  for (let i = 0; i < json.nodes.length; i += fields.length) {
    const kind = types[json.nodes[i + t]]!;
    const label =
      kind === 'object' || kind === 'native'
        ? json.strings[json.nodes[i + n]]
        : kind === 'hidden'
          ? '(system)'
          : kind === 'code'
            ? '(compiled code)'
            : `(${kind})`;
    const group = groups.get(label) ?? { count: 0, selfSize: 0 };
    group.count++;
    group.selfSize += json.nodes[i + s];
    groups.set(label, group);
  }
  return groups;
}

describe('heap snapshot summary', () => {
  it('finds 100 000 Leaky instances near the top of a real snapshot', () => {
    const top = summariseHeapSnapshot(snapshot, { top: 5 });
    expect(top).toHaveLength(5);
    const leaky = top.find((row) => row.constructor === 'Leaky');
    expect(leaky?.count).toBe(100_000);
    expect(leaky?.selfSize).toBeGreaterThan(100_000 * 8);
    expect(top.map((row) => row.selfSize)).toEqual(
      [...top.map((row) => row.selfSize)].sort((a, b) => b - a),
    );
  });

  it('agrees with parsing the whole file at once, group by group', () => {
    const scan = scanHeapSnapshot(snapshot);
    const reference = referenceGroups(snapshot);
    expect(
      new Map(
        scan.constructors.map((row) => [
          row.constructor,
          { count: row.count, selfSize: row.selfSize },
        ]),
      ),
    ).toEqual(reference);
    expect(scan.nodeCount).toBe([...reference.values()].reduce((sum, g) => sum + g.count, 0));
  });

  it('rejects files that are not snapshots', () => {
    const bad = join(dir, 'bad.heapsnapshot');
    writeFileSync(
      bad,
      '{"snapshot":{"meta":{"node_fields":["type","name","self_size"],"node_types":[["object"]]}},"nodes":[0,1,x]}',
    );
    expect(() => scanHeapSnapshot(bad)).toThrow(/unexpected x/);
    writeFileSync(bad, '[1,2,3]');
    expect(() => scanHeapSnapshot(bad)).toThrow(/expected "\{"/);
    writeFileSync(
      bad,
      '{"snapshot":{"meta":{"node_fields":["type","name","self_size"],"node_types":[["object"]]}},"nodes":[0,1',
    );
    expect(() => scanHeapSnapshot(bad)).toThrow(/ends inside "nodes"/);
  });

  it('handles escaped and non-ASCII names across chunk boundaries', () => {
    const path = join(dir, 'names.heapsnapshot');
    const names = [
      '<dummy>',
      'Caf\u00e9 "Bar"',
      'Line\nBreak',
      'x'.repeat(3 << 20),
      '\ud83d\ude00Emoji',
    ];
    const nodes = [0, 1, 10, 0, 2, 20, 0, 1, 5, 1, 3, 7, 0, 4, 1];
    const file = {
      snapshot: {
        meta: { node_fields: ['type', 'name', 'self_size'], node_types: [['object', 'string']] },
      },
      nodes,
      edges: [1, 2, 3, [{ a: '}]"\\' }]],
      strings: names,
    };
    writeFileSync(path, JSON.stringify(file));
    const scan = scanHeapSnapshot(path);
    expect(scan.constructors).toEqual([
      { constructor: 'Line\nBreak', count: 1, selfSize: 20 },
      { constructor: 'Caf\u00e9 "Bar"', count: 2, selfSize: 15 },
      { constructor: '(string)', count: 1, selfSize: 7 },
      { constructor: '\ud83d\ude00Emoji', count: 1, selfSize: 1 },
    ]);
  });

  it('runs in the pool: lazily created, the same answer, then gone when idle', async () => {
    expect(pool.active).toBe(false);
    const scan = await pool.summariseHeap(snapshot, { top: 3 });
    expect(scan.constructors).toHaveLength(3);
    expect(scan.constructors.find((row) => row.constructor === 'Leaky')?.count).toBe(100_000);
    expect(pool.active).toBe(true);
    // The worker's whole heap (its isolate holds nothing else) stays well under the file's size.
    expect(scan.fileBytes).toBeGreaterThan(10_000_000);
    expect(scan.peakHeapBytes).toBeLessThan(scan.fileBytes);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(pool.active).toBe(false);
  });

  it('runs in a child process too (how the daemon uses it), with the same answer', async () => {
    const inChild = createHeavyWorkPool({ runtime: 'child_process', idleMs: 200 });
    try {
      const scan = await inChild.summariseHeap(snapshot, { top: 3 });
      expect(scan.constructors.find((row) => row.constructor === 'Leaky')?.count).toBe(100_000);
      expect(scan.peakHeapBytes).toBeLessThan(scan.fileBytes);
    } finally {
      await inChild.destroy();
    }
  });

  it('reports a missing file as a GuvError', async () => {
    await expect(pool.summariseHeap(join(dir, 'missing.heapsnapshot'))).rejects.toMatchObject({
      code: 'GUV_HEAVY_WORK_FAILED',
      message: expect.stringContaining('ENOENT'),
    });
  });
});
