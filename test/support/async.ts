import { afterEach } from 'vitest';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A promise opened from outside: steps two sessions through a fixed interleaving. */
export interface Gate {
  promise: Promise<void>;
  open: () => void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Closes what a test opened (databases, TCP servers, ...) after each test, last first.
 * Returns `track(resource)` and `defer(step)`.
 */
export function useCleanup(): {
  track<T extends { close(): Promise<void> }>(resource: T): T;
  defer(step: () => Promise<void>): void;
} {
  const steps: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  return {
    track: (resource) => {
      steps.push(() => resource.close());
      return resource;
    },
    defer: (step) => void steps.push(step),
  };
}
