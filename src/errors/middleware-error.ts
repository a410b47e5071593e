import { DataLayerError } from './data-layer-error.js';

/**
 * A repository middleware broke the chain's contract, e.g. called `next()` twice (which
 * would run the operation, and its writes, twice). A programming error: 500.
 *
 * @example
 * ```ts
 * try { await orders.create(input) } catch (err) {
 *   if (err instanceof MiddlewareError) logger.warn({ middleware: err.middleware }, err.message)
 * }
 * ```
 */
export class MiddlewareError extends DataLayerError {
  override readonly name = 'MiddlewareError' as const;
  readonly code = 'MIDDLEWARE_MISUSE';
  readonly statusCode = 500;
  /** The `name` of the middleware at fault. */
  readonly middleware: string;

  constructor(message: string, options: { middleware: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.middleware = options.middleware;
  }

  protected override publicFields(): Record<string, unknown> {
    return { middleware: this.middleware };
  }
}
