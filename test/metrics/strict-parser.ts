import type { MetricsFormat } from '../../src/metrics/openmetrics.js';

/** A strict reader of the exposition formats, enough to check what guv writes. Throws on any breach. */
export interface ParsedFamily {
  name: string;
  type: string;
  help: string;
  unit?: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NUMBER = /^(?:[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'summary', 'histogram', 'unknown', 'untyped']);

export function parseExposition(text: string, format: MetricsFormat): ParsedFamily[] {
  if (!text.endsWith('\n')) throw new Error('the text must end with a line feed');
  const lines = text.slice(0, -1).split('\n');
  if (format === 'openmetrics') {
    if (lines.at(-1) !== '# EOF') throw new Error('OpenMetrics must end with # EOF');
    lines.pop();
    if (lines.includes('# EOF')) throw new Error('# EOF before the end');
  }
  const families: ParsedFamily[] = [];
  const seen = new Set<string>();
  let current = null as ParsedFamily | null;
  for (const [n, line] of lines.entries()) {
    const where = `line ${n + 1}: ${JSON.stringify(line)}`;
    if (line === '') throw new Error(`empty line at ${where}`);
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE|UNIT) (\S+) (.*)$/.exec(line);
      if (!match) throw new Error(`bad comment at ${where}`);
      const [, keyword, name, rest] = match as unknown as [string, string, string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name at ${where}`);
      if (current?.name !== name) {
        if (seen.has(name)) throw new Error(`family ${name} is not contiguous (${where})`);
        if (current && current.samples.length === 0)
          throw new Error(`family ${current.name} has no samples`);
        current = { name, type: 'unknown', help: '', samples: [] };
        seen.add(name);
        families.push(current);
      }
      if (current.samples.length > 0) throw new Error(`metadata after samples at ${where}`);
      if (keyword === 'HELP') current.help = unescapeHelp(rest, format);
      if (keyword === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`bad type at ${where}`);
        current.type = rest;
      }
      if (keyword === 'UNIT') {
        if (format !== 'openmetrics') throw new Error(`UNIT is OpenMetrics only (${where})`);
        if (!name.endsWith(`_${rest}`))
          throw new Error(`family name must end with its unit (${where})`);
        current.unit = rest;
      }
      continue;
    }
    if (!current) throw new Error(`sample without metadata at ${where}`);
    const sample = parseSample(line, where);
    checkSampleName(current, sample.name, format, where);
    current.samples.push(sample);
  }
  for (const family of families) {
    const keys = family.samples.map(
      (s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`,
    );
    if (new Set(keys).size !== keys.length) throw new Error(`duplicate series in ${family.name}`);
  }
  return families;
}

function checkSampleName(
  family: ParsedFamily,
  name: string,
  format: MetricsFormat,
  where: string,
): void {
  const allowed =
    family.type === 'counter'
      ? format === 'openmetrics'
        ? [`${family.name}_total`, `${family.name}_created`]
        : [family.name]
      : family.type === 'summary'
        ? [family.name, `${family.name}_sum`, `${family.name}_count`]
        : [family.name];
  if (!allowed.includes(name))
    throw new Error(`sample ${name} does not belong to ${family.name} (${where})`);
  if (format === 'prometheus' && family.type === 'counter' && !name.endsWith('_total'))
    throw new Error(`counter without _total (${where})`);
}

function parseSample(line: string, where: string) {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new Error(`bad sample name at ${where}`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const eq = line.indexOf('=', i);
      if (eq < 0) throw new Error(`bad label at ${where}`);
      const key = line.slice(i, eq);
      if (!LABEL_NAME.test(key) || key in labels)
        throw new Error(`bad label name ${key} at ${where}`);
      if (line[eq + 1] !== '"') throw new Error(`label value must be quoted at ${where}`);
      let value = '';
      i = eq + 2;
      for (;;) {
        const c = line[i];
        if (c === undefined) throw new Error(`unterminated label value at ${where}`);
        if (c === '"') break;
        if (c === '\\') {
          const next = line[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape \\${next} at ${where}`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      labels[key] = value;
      i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or } at ${where}`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`expected one space before the value at ${where}`);
  const value = line.slice(i + 1);
  if (!NUMBER.test(value)) throw new Error(`bad value ${value} at ${where}`);
  return {
    name,
    labels,
    value: value.endsWith('Inf') ? (value.startsWith('-') ? -Infinity : Infinity) : Number(value),
  };
}

function unescapeHelp(text: string, format: MetricsFormat): string {
  return text.replace(/\\(.)/g, (_, c: string) => {
    if (c === 'n') return '\n';
    if (c === '\\' || (c === '"' && format === 'openmetrics')) return c;
    throw new Error(`bad escape in HELP: \\${c}`);
  });
}
