import { DataLayerError } from './data-layer-error.js';
import { mapPostgresError } from './map-postgres-error.js';

/**
 * Whether running the failed operation again may succeed: serialization failures,
 * deadlocks, lost or refused connections, pool timeouts. Accepts raw driver errors too.
 *
 * @example
 * ```ts
 * try { await service.placeOrder(input) } catch (err) {
 *   if (isRetryable(err)) setTimeout(() => void service.placeOrder(input), 1_000)
 *   else throw err
 * }
 * ```
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DataLayerError) return error.retryable;
  return mapPostgresError(error).retryable;
}
