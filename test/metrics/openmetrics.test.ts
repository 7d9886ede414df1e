import { describe, expect, it } from 'vitest';
import { processMetrics } from '../../src/metrics/collect.js';
import {
  escapeLabelValue,
  type MetricsSnapshot,
  renderMetrics,
} from '../../src/metrics/openmetrics.js';
import { parseExposition } from './strict-parser.js';

const snapshot: MetricsSnapshot = {
  processes: [
    {
      id: 'a1',
      name: 'api',
      up: true,
      uptimeSeconds: 12.5,
      restarts: 3,
      cpuPercent: 12.5,
      rssBytes: 52_428_800,
      heapUsedBytes: 10_000_000,
      heapTotalBytes: 20_000_000,
      loopDelayP50Seconds: 0.001,
      loopDelayP99Seconds: 0.02,
    },
    { id: 'c1.0', name: 'web', worker: 0, up: true, restarts: 0, rssBytes: 1000 },
    { id: 'b2', name: 'we"ird\\na\nme', up: false, restarts: 7 },
  ],
  daemon: {
    processes: 3,
    uptimeSeconds: 60,
    rssBytes: 40_000_000,
    heapUsedBytes: 8_000_000,
    loopDelayP50Seconds: 0,
    loopDelayP99Seconds: 0.0015,
  },
};

function family(text: string, format: 'openmetrics' | 'prometheus', name: string) {
  const found = parseExposition(text, format).find((f) => f.name === name);
  if (!found) throw new Error(`no family ${name}`);
  return found;
}

describe('renderMetrics', () => {
  it.each(['openmetrics', 'prometheus'] as const)('writes valid %s text', (format) => {
    const text = renderMetrics(snapshot, format);
    const families = parseExposition(text, format);
    expect(families.every((f) => f.help.length > 0 && f.type !== 'unknown')).toBe(true);
    expect(text.endsWith('# EOF\n')).toBe(format === 'openmetrics');
  });

  it('names counters as each format wants', () => {
    const om = renderMetrics(snapshot, 'openmetrics');
    expect(om).toContain('# TYPE guv_process_restarts counter\n');
    expect(om).toContain('guv_process_restarts_total{id="a1",name="api"} 3\n');
    const prom = renderMetrics(snapshot, 'prometheus');
    expect(prom).toContain('# TYPE guv_process_restarts_total counter\n');
    expect(family(prom, 'prometheus', 'guv_process_restarts_total').samples).toHaveLength(3);
  });

  it('labels workers, quantiles and up', () => {
    const text = renderMetrics(snapshot, 'openmetrics');
    const up = family(text, 'openmetrics', 'guv_process_up').samples;
    expect(up.map((s) => [s.labels.id, s.value])).toEqual([
      ['a1', 1],
      ['c1.0', 1],
      ['b2', 0],
    ]);
    expect(
      family(text, 'openmetrics', 'guv_process_resident_memory_bytes').samples[1]!.labels,
    ).toEqual({
      id: 'c1.0',
      name: 'web',
      worker: '0',
    });
    const delay = family(text, 'openmetrics', 'guv_process_event_loop_delay_seconds');
    expect(delay.type).toBe('summary');
    expect(delay.unit).toBe('seconds');
    expect(delay.samples.map((s) => [s.labels.quantile, s.value])).toEqual([
      ['0.5', 0.001],
      ['0.99', 0.02],
    ]);
    expect(family(text, 'openmetrics', 'guv_daemon_processes').samples[0]!.value).toBe(3);
    expect(family(text, 'openmetrics', 'guv_daemon_event_loop_delay_seconds').samples).toHaveLength(
      2,
    );
  });

  it('escapes ", \\ and line feeds in label values so they read back unchanged', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    for (const format of ['openmetrics', 'prometheus'] as const) {
      const text = renderMetrics(snapshot, format);
      const restarts = family(
        text,
        format,
        format === 'openmetrics' ? 'guv_process_restarts' : 'guv_process_restarts_total',
      );
      expect(restarts.samples[2]!.labels.name).toBe('we"ird\\na\nme');
      expect(text.split('\n').some((line) => line.startsWith('me'))).toBe(false);
    }
  });

  it('leaves out figures nobody measured and families without samples', () => {
    const text = renderMetrics(
      { processes: [{ id: 'x', name: 'x', up: false, restarts: 0 }] },
      'openmetrics',
    );
    const names = parseExposition(text, 'openmetrics').map((f) => f.name);
    expect(names).toEqual(['guv_process_up', 'guv_process_restarts']);
    expect(renderMetrics({ processes: [] }, 'openmetrics')).toBe('# EOF\n');
  });

  it('the strict parser rejects what it should', () => {
    expect(() => parseExposition('# TYPE a gauge\na{x="\\t"} 1\n# EOF\n', 'openmetrics')).toThrow(
      /escape/,
    );
    expect(() => parseExposition('# TYPE a gauge\na 1\n', 'openmetrics')).toThrow(/EOF/);
    expect(() => parseExposition('# TYPE a counter\na 1\n# EOF\n', 'openmetrics')).toThrow(
      /belong/,
    );
    expect(() =>
      parseExposition(
        '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a gauge\n# EOF\n',
        'openmetrics',
      ),
    ).toThrow(/contiguous/);
    expect(() =>
      parseExposition(
        '# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n# EOF\n',
        'openmetrics',
      ),
    ).toThrow(/unit/);
  });
});

describe('processMetrics', () => {
  it('joins info and the latest sample, leaving out NaN and converting delays to seconds', () => {
    const metrics = processMetrics(
      { id: 'a', name: 'api', status: 'running', restarts: 2, startedAt: 1000 },
      {
        time: 5000,
        cpuPercent: 50,
        rssBytes: 100,
        heapUsedBytes: Number.NaN,
        heapTotalBytes: Number.NaN,
        loopDelayP50Ms: 2,
        loopDelayP99Ms: 30,
        loopDelayMaxMs: 40,
      },
      11_000,
      1,
    );
    expect(metrics).toEqual({
      id: 'a',
      name: 'api',
      worker: 1,
      up: true,
      restarts: 2,
      uptimeSeconds: 10,
      cpuPercent: 50,
      rssBytes: 100,
      loopDelayP50Seconds: 0.002,
      loopDelayP99Seconds: 0.03,
    });
  });
});
