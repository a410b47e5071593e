import { afterAll, beforeAll, inject } from 'vitest';

import { createDatabase, type Database, type DatabaseOptions } from '../../src/index.js';
import { createTestSchema, type TestSchema } from '../../src/testing/index.js';

export interface TestDatabaseHandle<DB> {
  /** The schema's `createDatabase` options (connection string + search path). */
  readonly options: DatabaseOptions;
  readonly schema: string;
  readonly db: Database<DB>;
  /** A second, independent handle on the same schema (its own pool), created on demand. */
  open(extra?: DatabaseOptions): Database<DB>;
}

/**
 * Gives a test file its own schema and a `Database` on it, closed and dropped after
 * the file. Values are available inside tests and hooks, not at collection time.
 */
export function useTestDatabase<DB>(label: string, extra: DatabaseOptions = {}): TestDatabaseHandle<DB> {
  let schema: TestSchema | undefined;
  let db: Database<DB> | undefined;
  const opened: Database<DB>[] = [];
  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), label);
    db = createDatabase<DB>({ logger: 'silent', ...schema.options, ...embeddedPool(), ...extra });
  });
  afterAll(async () => {
    await Promise.all([db, ...opened].map((each) => each?.close() ?? Promise.resolve()));
    await schema?.drop();
  });
  const required = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useTestDatabase values are only available inside tests and hooks');
    return value;
  };
  return {
    get options() {
      return required(schema).options;
    },
    get schema() {
      return required(schema).schema;
    },
    get db() {
      return required(db);
    },
    open(more: DatabaseOptions = {}) {
      const handle = createDatabase<DB>({
        logger: 'silent',
        ...required(schema).options,
        ...embeddedPool(),
        ...extra,
        ...more,
      });
      opened.push(handle);
      return handle;
    },
  };
}

/**
 * False on the embedded PGlite fallback, where all connections share one session,
 * run one query at a time and ignore startup parameters (statement_timeout, ...).
 */
export function isRealServer(): boolean {
  return inject('supportsConcurrency');
}

/** On embedded PGlite every connection shares one session: one connection per pool. */
function embeddedPool(): DatabaseOptions {
  return inject('supportsConcurrency') ? {} : { pool: { max: 1 } };
}
