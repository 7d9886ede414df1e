import type { ChildMessage } from '../actors/child/wrapper-events.js';
import type { JsonValue } from '../bus/events.js';
import type { SerializedError } from '../types/info.js';
import type { Observability } from '../daemon/observability.js';
import type { ProcessDefinition } from './process-definition.js';

/** What a process's wrapper gets for `config:request`: facts about itself. */
export function processConfig(definition: ProcessDefinition): Record<string, unknown> {
  return {
    id: definition.id,
    name: definition.name,
    script: definition.spec.script,
    cwd: definition.spec.cwd,
    args: definition.spec.args,
    instances: definition.instances,
  };
}

/** The answer to one `config:request`: the value, or an error for an unknown key. */
export function answerConfig(
  definition: ProcessDefinition,
  key: string,
): { value: unknown; error: SerializedError | undefined } {
  const config = processConfig(definition);
  if (Object.hasOwn(config, key)) return { value: config[key], error: undefined };
  return {
    value: undefined,
    error: { name: 'GuvError', message: `no config key "${key}"`, code: 'GUV_CONFIG_NOT_FOUND' },
  };
}

export interface ChildMessageSink {
  /** A warn/debug line from the wrapper. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
  /** Answer a config request (and publish it, for processes). */
  config(requestId: number, key: string): void;
  /** The app's `process:msg`: published for whoever listens. */
  message(data: JsonValue): void;
}

/**
 * The wrapper messages the charts do not consume, for a process or a cluster worker alike:
 * log lines to the log files, heartbeat figures to the metrics history, config requests
 * answered. `meterId` is the process id, or the worker id for a worker.
 */
export function handleChildMessage(
  message: ChildMessage,
  meterId: string,
  sink: ChildMessageSink,
  observability: Observability,
): void {
  switch (message.type) {
    case 'log':
      sink.log(message.level, message.message);
      break;
    case 'heartbeat':
      observability.heartbeat(meterId, message);
      break;
    case 'config:request':
      sink.config(message.requestId, message.key);
      break;
    case 'msg':
      sink.message(message.data);
      break;
    case 'listening':
      break;
  }
}
