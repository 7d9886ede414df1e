import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS_DOC, readEventMap, renderEventsDoc } from '../../scripts/docs/events.js';
import { EVENT_DOCS } from '../../src/bus/event-docs.js';
import { repoRoot } from '../helpers/daemon-harness.js';

/** Event-like names in the source that are not bus events, and why. */
const NOT_BUS_EVENTS: Record<string, string> = {
  'app:output': 'an RPC event to the one caller of an app operation (src/apps/output-event.ts)',
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.c?ts$/.test(entry.name) ? [path] : [];
  });
}

describe('docs/events.md', () => {
  it('is generated from the event map: run `npx tsx scripts/docs/events.ts` when this fails', () => {
    expect(readFileSync(EVENTS_DOC, 'utf8')).toBe(renderEventsDoc());
  });

  it('documents every event of the map with its arguments, when it fires and what publishes it', () => {
    const map = readEventMap();
    expect(Object.keys(EVENT_DOCS).sort()).toEqual([...map.keys()].sort());
    for (const [name, doc] of Object.entries(EVENT_DOCS)) {
      expect(doc.when.length, name).toBeGreaterThan(10);
      expect(doc.transition.length, name).toBeGreaterThan(10);
    }
  });

  it('every event name the code publishes is in the event map', () => {
    const known = new Set(Object.keys(EVENT_DOCS));
    const unknown: string[] = [];
    const built: string[] = [];
    for (const file of sourceFiles(join(repoRoot, 'src'))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(
        /['"`]((?:process|cluster|worker|daemon|app):[a-z][a-z:]*)['"`]/g,
      )) {
        const name = match[1]!;
        if (!known.has(name) && !Object.hasOwn(NOT_BUS_EVENTS, name))
          unknown.push(`${file}: ${name}`);
      }
      // A name built at run time escapes this check and the compiler: the map's literals only.
      for (const match of text.matchAll(/`(?:process|cluster|worker|daemon):[a-z:]*\$\{/g))
        built.push(`${file}: ${match[0]}`);
    }
    expect(unknown).toEqual([]);
    expect(built).toEqual([]);
  });
});
