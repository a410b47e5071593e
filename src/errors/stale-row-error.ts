import { DataLayerError } from './data-layer-error.js';

/**
 * An optimistic-lock check failed: the row's version is not the one the caller read, so
 * someone else changed it in between. Nothing was written. Read the row again, merge, retry.
 *
 * @example
 * ```ts
 * const read = await orders.getById(1)
 * try {
 *   await orders.update(1, { status: 'paid' }, { expectedVersion: read.version })
 * } catch (error) {
 *   if (error instanceof StaleRowError) res.status(409).json(error)
 *   else throw error
 * }
 * ```
 */
export class StaleRowError extends DataLayerError {
  override readonly name = 'StaleRowError' as const;
  readonly code = 'STALE_ROW';
  readonly statusCode = 409;
  readonly table: string;
  /** The row's primary key, when it is a string, number or bigint (else undefined). */
  readonly id: string | number | bigint | undefined;
  readonly expectedVersion: string;
  readonly actualVersion: string;

  constructor(details: { table: string; id: unknown; expectedVersion: unknown; actualVersion: unknown }) {
    const id = primitiveId(details.id);
    super(
      `"${details.table}" row ${id === undefined ? '(given)' : String(id)} was changed by someone else: ` +
        `expected version ${String(details.expectedVersion)}, found ${String(details.actualVersion)}`,
    );
    this.table = details.table;
    this.id = id;
    this.expectedVersion = String(details.expectedVersion);
    this.actualVersion = String(details.actualVersion);
  }

  protected override publicFields(): Record<string, unknown> {
    return {
      table: this.table,
      id: typeof this.id === 'bigint' ? String(this.id) : this.id,
      expectedVersion: this.expectedVersion,
      actualVersion: this.actualVersion,
    };
  }
}

function primitiveId(id: unknown): string | number | bigint | undefined {
  return typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? id : undefined;
}
