import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type AnyActorRef,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ActorOptions,
  createActor,
} from 'xstate';
import type { BusEvent } from '../bus/events.js';
import { machineToGraph, renderSvg } from '../graph/index.js';
import {
  type ActorKind,
  createChartRegistry,
  type HistoryRow,
  type TransitionUpdate,
} from '../inspect/index.js';
import { staticDir } from '../web/assets.js';

export interface RecordOptions {
  /** Shown in the page; default: the machine id. */
  id?: string;
  name?: string;
  kind?: ActorKind;
}

export interface WriteHtmlOptions {
  /** Bus events to show beside the chart, such as `createEventRecorder().events`. */
  events?: readonly BusEvent[];
}

export interface ChartRecording<TActor extends AnyActorRef = AnyActorRef> {
  actor: TActor;
  /** Every transition seen since recording began, transient states included when inspectable. */
  transitions: TransitionUpdate[];
  /** One self-contained HTML file: the chart (inline SVG) lit at the end state, the history to step through. */
  html(options?: WriteHtmlOptions): Promise<string>;
  writeHtml(path: string, options?: WriteHtmlOptions): Promise<void>;
  /** Stops observing (the actor keeps running). */
  stop(): void;
}

/**
 * Records a chart's run inside your own test, and writes it as one HTML file you can open and
 * step through when the test fails. Give it an actor, or a machine and `createActor` options
 * (then transient states are caught through inspection, and the actor is started for you).
 *
 * @example
 * const { actor, child } = createTestProcess();
 * const recording = recordChart(actor, { name: 'web' });
 * actor.send({ type: 'START' });
 * child.fork(42);
 * child.exit(1);
 * onTestFailed(() => recording.writeHtml('test-artifacts/web.html'));
 */
export function recordChart<TActor extends AnyActorRef>(
  actor: TActor,
  options?: RecordOptions,
): ChartRecording<TActor>;
export function recordChart<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options?: RecordOptions & ActorOptions<TMachine>,
): ChartRecording;
export function recordChart(
  source: AnyActorRef | AnyStateMachine,
  options: RecordOptions & ActorOptions<AnyStateMachine> = {},
): ChartRecording {
  const registry = createChartRegistry();
  const transitions: TransitionUpdate[] = [];
  const unsubscribe = registry.subscribe((update) => {
    if (update.type === 'transition') transitions.push(update);
  });
  const { id: givenId, name, kind, ...actorOptions } = options;
  const actor = isMachine(source)
    ? createActor(source, { ...actorOptions, inspect: registry.inspect })
    : source;
  const machine = (actor.getSnapshot() as AnyMachineSnapshot).machine;
  const id = givenId ?? machine.id;
  registry.track({
    id,
    name: name ?? id,
    kind: kind ?? 'process',
    chart: kind ?? 'process',
    actor,
  });
  if (isMachine(source)) actor.start();

  const html = async (writeOptions: WriteHtmlOptions = {}): Promise<string> => {
    const detail = registry.get(id)!;
    const chart = machine.id;
    const history: HistoryRow[] =
      detail.history.length > 0
        ? detail.history
        : transitions.map(({ time, from, to, cause }) => ({ time, from, to, cause }));
    const graph = machineToGraph(machine);
    const recording = {
      actors: [{ ...detail, chart, history }],
      graphs: { [chart]: { graph, svg: await renderSvg(graph) } },
      events: (writeOptions.events ?? []).map((event, i) => ({
        seq: i + 1,
        type: event.type,
        args: event.args,
      })),
    };
    return page(recording);
  };

  return {
    actor,
    transitions,
    html,
    async writeHtml(path, writeOptions) {
      await writeFile(path, await html(writeOptions));
    },
    stop: unsubscribe,
  };
}

async function page(recording: unknown): Promise<string> {
  const dir = staticDir();
  const [template, common, css, ...scripts] = await Promise.all(
    ['index.html', 'common.css', 'app.css', 'event-stream.js', 'chart-view.js', 'app.js'].map(
      (file) => readFile(join(dir, file), 'utf8'),
    ),
  );
  const data = JSON.stringify(recording).replace(/</g, '\\u003c');
  const inline = scripts
    .map((script) => `<script>\n${script!.replace(/<\/script/gi, '<\\/script')}</script>\n`)
    .join('');
  return (
    template!
      .replace(
        '<link rel="stylesheet" href="/assets/common.css">',
        () => `<style>\n${common}</style>`,
      )
      .replace('<link rel="stylesheet" href="/assets/app.css">', () => `<style>\n${css}</style>`)
      .replace(/<script src="\/assets\/[\w.-]+\.js" defer><\/script>\n/g, '')
      // Inline scripts cannot be deferred: they go last, once the elements they use exist.
      .replace(
        '</body>',
        () => `<script>window.__GUV_RECORDING__ = ${data};</script>\n${inline}</body>`,
      )
      .replace('<title>guv · statecharts</title>', '<title>guv · recorded chart</title>')
  );
}

function isMachine(value: AnyActorRef | AnyStateMachine): value is AnyStateMachine {
  return 'root' in value && 'transition' in value && !('send' in value);
}
