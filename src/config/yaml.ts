import { GuvError } from '../errors.js';

// An apps file in YAML (pm2 reads ecosystem.config.yaml). Pure: the loader caps the size first.

/** More aliases than this is a billion-laughs bomb, not a config. */
export const MAX_YAML_ALIASES = 100;

function invalid(message: string, cause?: unknown): never {
  throw new GuvError('GUV_APPS_FILE_UNREADABLE', message, cause === undefined ? {} : { cause });
}

/**
 * Parses YAML text as plain data: the core schema (no `!!binary`, `!!set`, no custom tags), unique
 * keys, at most {@link MAX_YAML_ALIASES} aliases. Throws GUV_APPS_FILE_UNREADABLE with one line
 * naming `file:line:column`.
 *
 * @example
 * await parseYaml('apps:\n  - script: server.js\n', 'ecosystem.config.yaml'); // { apps: [{ script: 'server.js' }] }
 */
export async function parseYaml(text: string, file: string): Promise<unknown> {
  // Imported when a YAML file is read: the parser is larger than the rest of `guv list`.
  const { LineCounter, parseDocument } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    schema: 'core',
    customTags: [],
    resolveKnownTags: false,
    uniqueKeys: true,
    prettyErrors: false,
    lineCounter,
  });
  // A tag guv does not resolve would silently become a string: refused like a syntax error.
  const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const { line, col } = lineCounter.linePos(problem.pos[0]);
    const message = problem.message.split('\n')[0]?.replace(/\s+at line \d+, column \d+:?$/, '');
    invalid(`${file}:${line}:${col}: ${message}`, problem);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (error) {
    invalid(
      `${file}: too many aliases (more than ${MAX_YAML_ALIASES}): ${(error as Error).message}`,
      error,
    );
  }
}
