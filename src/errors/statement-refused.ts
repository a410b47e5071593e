import { ConnectionError } from './connection-errors.js';
import { DataLayerError } from './data-layer-error.js';

/**
 * Whether the server answered a statement with an error (a SQLSTATE), so an autocommit
 * statement is known to have changed nothing. A lost connection is not: the statement
 * may or may not have committed, so nothing may be re-run on its behalf.
 */
export function statementRefused(error: unknown): boolean {
  return (
    error instanceof DataLayerError &&
    !(error instanceof ConnectionError) &&
    typeof (error as { sqlState?: unknown }).sqlState === 'string'
  );
}

/** A data exception (SQLSTATE class 22: a value the column type refuses), which one key of a batch can cause alone. */
export function dataException(error: unknown): boolean {
  return statementRefused(error) && (error as { sqlState: string }).sqlState.startsWith('22');
}
