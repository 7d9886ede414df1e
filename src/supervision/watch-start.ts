import type { AnyActorRef, Subscription } from 'xstate';
import {
  judgeStart,
  type StartFacts,
  type StartVerdict,
  type StartWatchPolicy,
} from '../machines/start-verdict.js';

/**
 * Waits for a start's verdict (see start-verdict.ts): judges the facts now, then again at each
 * snapshot of `actor` or at the time the judgement names, until done or `deadline` (epoch ms on
 * `now`'s clock) has passed. Every wait is bounded by the deadline.
 */
export async function watchStart(
  actor: AnyActorRef,
  facts: (deadline: number) => StartFacts,
  policy: StartWatchPolicy,
  now: () => number,
): Promise<StartVerdict> {
  const deadline = now() + policy.maxWaitMs;
  for (;;) {
    const judgement = judgeStart(facts(deadline), policy);
    if (judgement.done) return judgement.verdict;
    const until = Math.min(judgement.atMs ?? deadline, deadline);
    await nextChange(actor, Math.max(0, until - now()) + 1);
  }
}

/** Resolves at the actor's next snapshot, or after `ms`. */
export function nextChange(actor: AnyActorRef, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let subscription: Subscription | undefined;
    const done = () => {
      clearTimeout(timer);
      subscription?.unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, ms);
    subscription = actor.subscribe({ next: done, error: done, complete: done });
  });
}

/** Remembers the newest error a chart's context held while it is watched. */
export function trackLastError<T>(
  actor: AnyActorRef,
  errorOf: (snapshot: unknown) => T | null,
): { last(): T | null; stop(): void } {
  let last: T | null = null;
  const subscription = actor.subscribe({
    next: (snapshot: unknown) => {
      last = errorOf(snapshot) ?? last;
    },
    error: () => {},
  });
  return { last: () => last, stop: () => subscription.unsubscribe() };
}
