import { afterAll, beforeAll, inject } from 'vitest';

import { createDatabase, type Database, type DatabaseOptions } from '../../src/index.js';
import { createTestSchema, type TestSchema } from '../../src/testing/index.js';
import { allowPgBouncerUser } from './pgbouncer.js';
import { withPort } from './tcp.js';

export interface TestDatabaseHandle<DB> {
  /**
   * The schema's `createDatabase` options (connection string + search path; in the
   * `pgbouncer` project, through the shared PgBouncer with `pooler: 'pgbouncer-transaction'`).
   */
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
  let options: DatabaseOptions | undefined;
  beforeAll(async () => {
    schema = await createTestSchema(inject('databaseUrl'), label);
    options = { ...schema.options, ...projectConnection(inject('databaseUrl')) };
    db = createDatabase<DB>({ logger: 'silent', ...options, ...embeddedPool(), ...extra });
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
      return required(options);
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
        ...required(options),
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

/**
 * Two server sessions can run at once: false on PGlite (one shared session) and in the
 * `pgbouncer` project, where every handle of the run shares ONE server connection, so a
 * test whose second session must run while the first holds a transaction open (a lock,
 * a serialization conflict, another pool beside an open transaction) would only wait.
 */
export function hasConcurrentSessions(): boolean {
  return isRealServer() && !throughPgBouncer();
}

/** True in the `pgbouncer` project: handles reach the server through one shared PgBouncer. */
export function throughPgBouncer(): boolean {
  return inject('pgbouncer').port !== 0;
}

/**
 * How this project connects as the user of `directUrl` (a URL of the test server, maybe
 * with another user): that URL itself, or the same user through the shared PgBouncer in
 * transaction mode. Users other than the server's own must be let in first
 * (`allowThroughPgBouncer`).
 */
export function projectConnection(directUrl: string): Pick<DatabaseOptions, 'connectionString' | 'pooler'> {
  const bouncer = inject('pgbouncer');
  if (bouncer.port === 0) return { connectionString: directUrl };
  return { connectionString: withPort(directUrl, bouncer.port), pooler: 'pgbouncer-transaction' };
}

/** Lets a role the test created log in through the shared PgBouncer (no-op when there is none). */
export async function allowThroughPgBouncer(user: string): Promise<void> {
  const bouncer = inject('pgbouncer');
  if (bouncer.port !== 0) await allowPgBouncerUser(bouncer, user);
}
