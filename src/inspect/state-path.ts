import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition, StateValue } from 'xstate';

/**
 * The ids of the active leaf state nodes for a snapshot value: the ids `machineToGraph` gives
 * its nodes and the SVG carries as `state:<id>`, so a view can light them.
 *
 * @example
 * activeLeafIds(processMachine, { alive: 'running' }); // ['running'] (the node sets id: 'running')
 */
export function activeLeafIds(machine: AnyStateMachine, value: StateValue): string[] {
  const leaves: string[] = [];
  const visit = (node: AnyStateNode, sub: StateValue): void => {
    const entries = typeof sub === 'string' ? [[sub, undefined] as const] : Object.entries(sub);
    for (const [key, childValue] of entries) {
      const child = (node.states as Record<string, AnyStateNode>)[key];
      if (child === undefined) continue;
      if (childValue === undefined || Object.keys(childValue).length === 0) leaves.push(child.id);
      else visit(child, childValue as StateValue);
    }
  };
  if (typeof value === 'string' || Object.keys(value).length > 0) visit(machine.root, value);
  else leaves.push(machine.root.id);
  return leaves;
}

/** What a human reads for a set of leaves: their keys, `running` or `a, b` when parallel. */
export function leafNames(machine: AnyStateMachine, leafIds: readonly string[]): string {
  return leafIds
    .map((id) => {
      try {
        return machine.getStateNodeById(id).key;
      } catch {
        return id;
      }
    })
    .join(', ');
}

/**
 * The graph edge id (`<source>:<event>:<n>`, as `machineToGraph` numbers them) of a transition
 * XState took, found from its definition in a microstep.
 */
export function edgeIdOf(transition: AnyTransitionDefinition): string | undefined {
  const source = transition.source;
  const event = transition.eventType;
  const siblings: readonly AnyTransitionDefinition[] =
    (source.always?.includes(transition) ? source.always : source.transitions.get(event)) ?? [];
  let n = 0;
  for (const sibling of siblings) {
    if (sibling === transition) return `${source.id}:${sibling.eventType}:${n}`;
    n += sibling.target?.length ? sibling.target.length : 1;
  }
  return undefined;
}
