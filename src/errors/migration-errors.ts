import { DataLayerError } from './data-layer-error.js';

/**
 * Why a schema-lifecycle operation stopped.
 *
 * @example
 * ```ts
 * try { await migrator.latest() } catch (err) {
 *   const reason: MigrationFailure | undefined = err instanceof MigrationError ? err.reason : undefined
 *   if (reason === 'lock-timeout') console.error('another deploy is migrating')
 * }
 * ```
 */
export type MigrationFailure =
  | 'failed'
  | 'changed'
  | 'missing'
  | 'out-of-order'
  | 'lock-timeout'
  | 'load'
  | 'validation'
  | 'unknown-migration'
  | 'verify';

/**
 * A migration failed, was edited after it was applied, is missing, could not be loaded,
 * did not validate, or the migration lock could not be taken in time. `migration` names
 * the migration concerned; `cause` holds the server's error when there is one.
 *
 * @example
 * ```ts
 * try { await migrator.latest() } catch (err) {
 *   if (err instanceof MigrationError && err.reason === 'changed') console.error(`${err.migration} was edited`)
 * }
 * ```
 */
export class MigrationError extends DataLayerError {
  override readonly name = 'MigrationError' as const;
  readonly code = 'MIGRATION_FAILED';
  readonly statusCode = 500;
  readonly reason: MigrationFailure;
  /** The migration concerned, when there is one. */
  readonly migration: string | undefined;

  constructor(message: string, options: { reason: MigrationFailure; migration?: string; cause?: unknown }) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.reason = options.reason;
    this.migration = options.migration;
  }

  protected override publicFields(): Record<string, unknown> {
    return { reason: this.reason, migration: this.migration };
  }
}
