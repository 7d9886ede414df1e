/** A supervision fact worth a line in a container's log: an exit, a restart, a give-up. */
export interface LifecycleFact {
  app: string;
  id: string;
  event: string;
  message: string;
  date: number;
}

/** `exited with code 1`, `killed by SIGKILL`, `exited`. */
export function exitMessage(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return code === null ? 'exited' : `exited with code ${code}`;
}

/** As JSON, beside the apps' own lines: `type: 'guv'` tells them apart. */
export function jsonFact(fact: LifecycleFact): string {
  return JSON.stringify({
    timestamp: new Date(fact.date).toISOString(),
    app_name: fact.app,
    process_id: fact.id,
    type: 'guv',
    event: fact.event,
    message: fact.message,
  });
}

/** `guv | web exited with code 1`. */
export function rawFact(fact: LifecycleFact): string {
  return `guv | ${fact.app} ${fact.message}`;
}
