import {
  type ConnectionProvider,
  DefaultQueryExecutor,
  type Dialect,
  type KyselyProps,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';

import type { PgDriver } from './pg-driver.js';

/** Kysely's props over our driver: PostgreSQL's adapter and compiler, statements through `connectionProvider`. */
export function kyselyProps(driver: PgDriver, connectionProvider: ConnectionProvider): KyselyProps {
  const dialect: Dialect = {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => driver,
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  };
  const executor = new DefaultQueryExecutor(
    dialect.createQueryCompiler(),
    dialect.createAdapter(),
    connectionProvider,
    [],
  );
  return { config: { dialect }, driver, dialect, executor };
}
