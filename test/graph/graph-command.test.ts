import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { graphCommand } from '../../src/cli/commands/graph.js';
import { GuvError } from '../../src/errors.js';
import { CHART_NAMES } from '../../src/graph/charts.js';
import { GRAPH_FORMATS } from '../../src/graph/formats.js';
import { cleanupHome, guv, makeHome } from '../helpers/daemon-harness.js';

async function run(charts: string[], format = 'text'): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await graphCommand(charts, format, out);
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}

async function rejection(charts: string[], format?: string): Promise<GuvError> {
  const error = await run(charts, format).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GuvError);
  return error as GuvError;
}

describe('guv graph', () => {
  it('prints the process chart as text by default', async () => {
    const { code, output } = await run(['process']);
    expect(code).toBe(0);
    expect(output.split('\n')[0]).toBe('process');
    expect(output).toContain('after restartDelay');
  });

  it('prints other formats', async () => {
    expect((await run(['process'], 'mermaid')).output).toMatch(
      /^---\ntitle: process\n---\nstateDiagram-v2\n/,
    );
    expect((await run(['process'], 'dot')).output).toMatch(/^digraph "process" \{/);
    expect(JSON.parse((await run(['process'], 'json')).output).id).toBe('process');
  });

  it('rejects an unknown chart, naming it and the choices', async () => {
    const error = await rejection(['proces']);
    expect(error.code).toBe('GUV_BAD_ARGUMENT');
    expect(error.message).toBe(
      'unknown chart "proces": choose process, cluster, worker, daemon, app',
    );
  });

  it('rejects an unknown format, naming it and the choices', async () => {
    const error = await rejection(['process'], 'png');
    expect(error.code).toBe('GUV_BAD_ARGUMENT');
    expect(error.message).toBe('unknown format "png": choose text, json, mermaid, dot, svg');
  });

  it('rejects a missing or a second chart name', async () => {
    expect((await rejection([])).code).toBe('GUV_BAD_ARGUMENT');
    expect((await rejection(['process', 'worker'])).code).toBe('GUV_BAD_ARGUMENT');
  });

  it('prints its usage, the charts and the formats with --help (the built CLI)', async () => {
    const home = makeHome();
    try {
      const { code, stdout } = await guv(home, ['graph', '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain('usage: guv graph [options] <process|cluster|worker|daemon|app>');
      for (const format of GRAPH_FORMATS) expect(stdout).toContain(format);
      expect(`<${CHART_NAMES.join('|')}>`).toBe('<process|cluster|worker|daemon|app>');
    } finally {
      await cleanupHome(home);
    }
  });
});
