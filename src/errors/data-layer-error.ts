/**
 * Base class of every error this library throws. Catch it to handle all of them.
 * `toJSON()` is safe to send to clients and to logs: it never contains query
 * parameters, constraint detail values or connection secrets.
 *
 * @example
 * ```ts
 * try { await users.create({ email }) } catch (err) {
 *   if (err instanceof DataLayerError) res.status(err.statusCode).json(err)
 *   else throw err
 * }
 * ```
 */
export abstract class DataLayerError extends Error {
  /** Stable, machine-readable identifier, e.g. `UNIQUE_VIOLATION`. */
  abstract readonly code: string;
  /** HTTP status code a service would usually answer with. */
  abstract readonly statusCode: number;
  /** Whether running the same operation again may succeed. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // `cause` may hold driver errors whose `detail` includes row values: keep it
    // off enumerable properties so generic serializers never pick it up.
    if (options && 'cause' in options) {
      Object.defineProperty(this, 'cause', {
        value: options.cause,
        enumerable: false,
        writable: true,
        configurable: true,
      });
    }
  }

  /** Fields that are safe to expose, without parameters or secrets. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      statusCode: this.statusCode,
      retryable: this.retryable,
      ...this.publicFields(),
    };
  }

  /** Subclasses add their safe, structured fields here. */
  protected publicFields(): Record<string, unknown> {
    return {};
  }
}
