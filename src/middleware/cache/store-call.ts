import type { MaybePromise } from './cache-store.js';

/** A store call that did not settle within the cache's `timeoutMs`. */
export class CacheTimeoutError extends Error {
  override readonly name = 'CacheTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`cache store did not answer within ${timeoutMs} ms`);
  }
}

/**
 * Runs one store call, bounded by `timeoutMs`: a synchronous answer is returned as it is
 * (no timer, no promise), an asynchronous one races a timer. A synchronous throw becomes
 * a rejection, so callers handle every failure in one place.
 *
 * ```ts
 * const version = await boundedCall(() => store.getVersion(key), 50)
 * ```
 */
export function boundedCall<T>(call: () => MaybePromise<T>, timeoutMs: number): MaybePromise<T> {
  let answer: MaybePromise<T>;
  try {
    answer = call();
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  if (!isThenable(answer)) return answer;
  const pending = answer;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CacheTimeoutError(timeoutMs)), timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Whether a store answered asynchronously.
 *
 * ```ts
 * const answer = store.get(key)
 * const hit = isThenable(answer) ? await answer : answer
 * ```
 */
export function isThenable<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
