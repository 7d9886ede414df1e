import type { AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import { GuvError } from '../errors.js';

/**
 * The ids of every active state node for a snapshot value: the root, then each active node
 * depth-first, the same ids as {@link ChartGraph} nodes, so a live view can light them.
 *
 * @example
 * activeNodeIds(machine, { running: 'ready' }); // ['process', 'process.running', 'process.running.ready']
 */
export function activeNodeIds(machine: AnyStateMachine, value: StateValue): string[] {
  const ids: string[] = [machine.root.id];
  const visit = (node: AnyStateNode, sub: StateValue): void => {
    const entries = typeof sub === 'string' ? [[sub, {}] as const] : Object.entries(sub);
    for (const [key, childValue] of entries) {
      const states = node.states as Record<string, AnyStateNode>;
      const child = Object.hasOwn(states, key) ? states[key] : undefined;
      if (!child) {
        throw new GuvError(
          'GUV_UNKNOWN_STATE',
          `state "${key}" is not a child of #${node.id} in machine "${machine.id}"`,
        );
      }
      ids.push(child.id);
      if (childValue !== undefined) visit(child, childValue as StateValue);
    }
  };
  visit(machine.root, value);
  return ids;
}
