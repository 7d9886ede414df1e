import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { graphCommand } from '../../src/cli/commands/graph.js';
import { GuvError } from '../../src/errors.js';

async function run(args: string[]): Promise<{ code: number; output: string }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await graphCommand(args, out);
  return { code, output: Buffer.concat(chunks).toString('utf8') };
}

async function rejection(args: string[]): Promise<GuvError> {
  const error = await run(args).then(
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

  it('prints other formats with --format or -f', async () => {
    expect((await run(['process', '--format', 'mermaid'])).output).toMatch(
      /^---\ntitle: process\n---\nstateDiagram-v2\n/,
    );
    expect((await run(['process', '-f', 'dot'])).output).toMatch(/^digraph "process" \{/);
    expect(JSON.parse((await run(['process', '--format=json'])).output).id).toBe('process');
  });

  it('rejects an unknown chart, naming it and the choices', async () => {
    const error = await rejection(['proces']);
    expect(error.code).toBe('GUV_BAD_ARGUMENT');
    expect(error.message).toBe(
      'unknown chart "proces": choose process, cluster, worker, daemon, app',
    );
  });

  it('rejects an unknown format, naming it and the choices', async () => {
    const error = await rejection(['process', '--format', 'png']);
    expect(error.code).toBe('GUV_BAD_ARGUMENT');
    expect(error.message).toBe('unknown format "png": choose text, json, mermaid, dot, svg');
  });

  it('rejects a missing or a second chart name', async () => {
    expect((await rejection([])).code).toBe('GUV_BAD_ARGUMENT');
    expect((await rejection(['process', 'worker'])).code).toBe('GUV_BAD_ARGUMENT');
  });

  it('prints its usage with --help', async () => {
    const { code, output } = await run(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('usage: guv graph <process|cluster|worker|daemon|app>');
  });
});
