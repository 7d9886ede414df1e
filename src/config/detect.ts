import { basename } from 'node:path';

// A file named like a config is read as one, never run as a script: `guv start
// ecosystem.config.js` once ran the config itself as an app, which crash-looped.
const CONFIG_NAME =
  /^(?:(?:.+\.config|ecosystem[^/]*)\.(?:js|cjs|mjs|ts|mts|cts)|(?:.+\.config|ecosystem[^/]*|pm2[^/]*|process)\.(?:json|ya?ml))$/i;

/** Whether a path's file name is that of an apps file (`ecosystem.config.js`, `app.config.json`…). */
export function hasConfigName(path: string): boolean {
  return CONFIG_NAME.test(basename(path));
}

// An export whose first key is `apps` (comments allowed before it): pm2's format, whatever
// the file is called.
const APPS_EXPORT =
  /(?:module\.exports\s*=|export\s+default)\s*\{(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']?apps["']?\s*:/;

/** Whether a script's source reads as a pm2 apps export (`module.exports = { apps: [...] }`). */
export function looksLikeAppsExport(source: string): boolean {
  return APPS_EXPORT.test(source);
}

/** Whether parsed JSON is an apps file: an object with an `apps` list. */
export function isAppsJson(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as { apps?: unknown }).apps)
  );
}
