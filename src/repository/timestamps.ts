import { type RawBuilder, sql } from 'kysely';

/** `now()`, evaluated by the server: one clock for every application instance. */
export const SQL_NOW: RawBuilder<unknown> = sql`now()`;

export interface TimestampColumns {
  readonly createdAt?: string;
  readonly updatedAt?: string;
}

/** Timestamp columns a write sets to now() because the input did not set them itself. */
export function nowColumns(
  timestamps: TimestampColumns | undefined,
  given: readonly string[],
  kind: 'create' | 'update',
): string[] {
  const { createdAt, updatedAt } = timestamps ?? {};
  const wanted = kind === 'create' ? [createdAt, updatedAt] : [updatedAt];
  return [...new Set(wanted.filter((column): column is string => column !== undefined && !given.includes(column)))];
}

/** `{ updated_at: now() }`, or nothing when the repository keeps no update timestamp. */
export function updatedAtNow(timestamps: TimestampColumns | undefined): Record<string, unknown> {
  return timestamps?.updatedAt ? { [timestamps.updatedAt]: SQL_NOW } : {};
}
