/** Human names for the parts of an XState config: actions, guards, invoked actors. */

type Named = { type?: unknown; name?: unknown };

/** `'spawn'`, `{ type: 'spawn' }`, `assign(...)` → `assign`, `raise({ type: 'X' })` → `raise X`. */
export function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'function' || (typeof action === 'object' && action !== null)) {
    const named = action as Named & { event?: unknown };
    if (typeof named.type === 'string') {
      const base = named.type.replace(/^xstate\./, '');
      const event = named.event as { type?: unknown } | undefined;
      return typeof event === 'object' && event !== null && typeof event.type === 'string'
        ? `${base} ${event.type}`
        : base;
    }
    if (typeof action === 'function' && typeof named.name === 'string' && named.name !== '') {
      return named.name;
    }
  }
  return 'inline';
}

type GuardLike = Named & { guards?: unknown[]; stateValue?: unknown; check?: unknown };

/** `'canRestart'`, `{ type: 'canRestart' }`, `and(['a', not('b')])` → `a && !b`. */
export function guardName(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && typeof (guard as Named).type === 'string') {
    return (guard as Named).type as string;
  }
  if (typeof guard === 'function') {
    const g = guard as GuardLike;
    const parts = Array.isArray(g.guards) ? g.guards.map(guardName) : [];
    // XState's higher-order guards are functions named after their operator.
    if (g.check !== undefined) {
      if (g.name === 'not') return `!${wrap(parts[0] ?? 'inline')}`;
      if (g.name === 'and') return parts.map(wrap).join(' && ');
      if (g.name === 'or') return parts.map(wrap).join(' || ');
      if (g.name === 'stateIn') return `in(${JSON.stringify(g.stateValue)})`;
    }
    if (typeof g.name === 'string' && g.name !== '') return g.name;
  }
  return 'inline';
}

function wrap(name: string): string {
  return /[ &|]/.test(name) ? `(${name})` : name;
}

/** The `src` name of an invoke (what `setup({ actors })` calls it), else its id. */
export function invokeName(invoke: { id: string; src: unknown }): string {
  return typeof invoke.src === 'string' ? invoke.src : invoke.id;
}
