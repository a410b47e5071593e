import type { Generated, Kysely, Selectable } from 'kysely';
import { pino } from 'pino';
import { describe, expectTypeOf, it } from 'vitest';

import {
  ConflictError,
  createDatabase,
  type Database,
  type DatabaseHealthReport,
  type DatabaseMetrics,
  type DatabaseOptions,
  type DataLayerError,
  type HealthReport,
  isRetryable,
  type Logger,
  mapPostgresError,
  type SlowQueryEvent,
} from '../../src/index.js';

interface UsersTable {
  id: Generated<number>;
  email: string;
  deleted_at: Date | null;
}
interface DB {
  users: UsersTable;
}

describe('createDatabase', () => {
  it('is typed by the host DB interface', () => {
    const db = createDatabase<DB>({ host: 'localhost' });
    expectTypeOf(db).toEqualTypeOf<Database<DB>>();
    expectTypeOf(db.kysely).toEqualTypeOf<Kysely<DB>>();
    const row = db.kysely.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expectTypeOf(row).toEqualTypeOf<Promise<Selectable<UsersTable>>>();
    // @ts-expect-error unknown table
    db.kysely.selectFrom('accounts');
    // @ts-expect-error unknown column
    db.kysely.selectFrom('users').select('password');
  });

  it('types health, metrics, close and async disposal', () => {
    const db = createDatabase<DB>();
    expectTypeOf(db.health()).toEqualTypeOf<Promise<DatabaseHealthReport>>();
    expectTypeOf<DatabaseHealthReport>().toMatchTypeOf<HealthReport>();
    expectTypeOf(db.metrics()).toEqualTypeOf<DatabaseMetrics>();
    expectTypeOf(db.metrics().queries.p95Ms).toBeNumber();
    expectTypeOf(db.close()).toEqualTypeOf<Promise<void>>();
    expectTypeOf(db).toMatchTypeOf<AsyncDisposable>();
    expectTypeOf<HealthReport['status']>().toEqualTypeOf<'up' | 'down'>();
  });

  it('checks option types', () => {
    expectTypeOf<{ pool: { max: number } }>().toMatchTypeOf<DatabaseOptions>();
    // @ts-expect-error pool.max is a number
    createDatabase({ pool: { max: '10' } });
    // @ts-expect-error unknown option
    createDatabase({ hots: 'localhost' });
    createDatabase({ onSlowQuery: (event) => void expectTypeOf(event).toEqualTypeOf<SlowQueryEvent>() });
  });

  it('accepts a pino logger or a level as the logger', () => {
    createDatabase({ logger: pino() });
    createDatabase({ logger: 'debug' });
    expectTypeOf(pino()).toMatchTypeOf<Logger>();
    // @ts-expect-error not a level
    createDatabase({ logger: 'loud' });
  });
});

describe('errors', () => {
  it('are typed with literal names and structured fields', () => {
    const error = mapPostgresError(new Error('x'));
    expectTypeOf(error).toEqualTypeOf<DataLayerError>();
    expectTypeOf(isRetryable).parameter(0).toBeUnknown();
    const conflict = new ConflictError('dup', {
      sqlState: '23505',
      constraint: 'c',
      table: 't',
      schema: 's',
      columns: ['email'],
    });
    expectTypeOf(conflict.name).toEqualTypeOf<'ConflictError'>();
    expectTypeOf(conflict.columns).toEqualTypeOf<readonly string[]>();
    expectTypeOf(conflict.constraint).toEqualTypeOf<string | undefined>();
    expectTypeOf(conflict.toJSON()).toEqualTypeOf<Record<string, unknown>>();
  });
});
