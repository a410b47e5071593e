import { NotFoundError } from '../errors/application-errors.js';

/**
 * The `NotFoundError` of a missing (or invisible) row, shared by `BaseRepository` and the
 * in-memory fake so both say the same. Only primitive ids appear in the message.
 */
export function rowNotFound(table: string, primaryKey: string, id: unknown): NotFoundError {
  const shown = typeof id === 'string' || typeof id === 'number' || typeof id === 'bigint' ? String(id) : '(given)';
  return new NotFoundError(`No "${table}" row with ${primaryKey} ${shown}`, { table });
}
