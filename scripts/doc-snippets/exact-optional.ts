// A consumer whose tsconfig has `exactOptionalPropertyTypes: true` passes values that may
// be undefined (environment variables, optional inputs) straight into the options, the
// way a reader writes `connectionString: process.env.DATABASE_URL`. check:docs compiles
// this file against the built package with that setting on (and without it).
import {
  BaseRepository,
  cache,
  createDatabase,
  createMigrator,
  type DatabaseOptions,
  defineSeeder,
  type EmbeddedOptions,
  memoryCacheStore,
  migrateTenants,
  type RedisCacheClient,
  redisCacheStore,
  runSeeders,
  tenantFilter,
  tenantPolicySql,
} from '@org/data-layer';
import { findTestServer, InMemoryRepository, withRollback } from '@org/data-layer/testing';

declare const maybeText: string | undefined;
declare const maybeNumber: number | undefined;
declare const maybeFlag: boolean | undefined;
declare const redis: RedisCacheClient;

const number = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

const options: DatabaseOptions = {
  connectionString: process.env.DATABASE_URL,
  password: process.env.DB_PASSWORD,
  ssl: maybeFlag,
  searchPath: maybeText,
  applicationName: process.env.APP_NAME,
  pool: {
    max: number(process.env.DB_POOL_MAX),
    min: maybeNumber,
    idleTimeoutMs: maybeNumber,
    connectionTimeoutMs: maybeNumber,
    maxLifetimeMs: maybeNumber,
  },
  retry: { attempts: maybeNumber, minDelayMs: maybeNumber, maxDelayMs: maybeNumber },
  statementTimeoutMs: maybeNumber,
  slowQueryThresholdMs: maybeNumber,
  onSlowQuery: undefined,
  logger: undefined,
  logParameters: maybeFlag,
  strictTransactions: maybeFlag,
  middleware: undefined,
  cursorSecret: process.env.CURSOR_SECRET,
  embedded: undefined,
  migrations: { folder: maybeText, migrations: undefined, schema: maybeText, tableName: maybeText },
};
const local = createDatabase<DB>({ connectionString: process.env.DATABASE_URL });
const tls = createDatabase<DB>({
  host: process.env.DB_HOST,
  port: number(process.env.DB_PORT),
  ssl: { rejectUnauthorized: maybeFlag, ca: process.env.DB_CA, cert: maybeText, key: maybeText, servername: maybeText },
});
const embedded: EmbeddedOptions = { dataDir: process.env.PGDATA, port: maybeNumber };
createDatabase<DB>({ ...options, embedded: maybeFlag ? embedded : undefined });

await local.connect({ signal: undefined });
await local.health({ timeoutMs: maybeNumber, migrator: undefined });
await local.transaction(() => Promise.resolve(), {
  isolationLevel: undefined,
  accessMode: undefined,
  statementTimeoutMs: maybeNumber,
  retries: maybeNumber,
  signal: undefined,
});

const users = new BaseRepository(local, {
  table: 'users',
  primaryKey: undefined,
  softDelete: maybeFlag ? 'deleted_at' : undefined,
  timestamps: { createdAt: 'created_at', updatedAt: undefined },
  schemas: undefined,
  tenantColumn: undefined,
  defaultOrderBy: undefined,
  middleware: undefined,
  skipMiddleware: undefined,
});
await users.updateMany({}, { team: 'core' }, { all: maybeFlag });
// Read options: a query string's optional values go straight in.
declare const maybeCursor: string | undefined;
declare const maybeDirection: 'asc' | 'desc' | undefined;
await users.findMany({
  where: undefined,
  orderBy: undefined,
  limit: maybeNumber,
  offset: maybeNumber,
  withDeleted: maybeFlag,
});
await users.paginate({ page: maybeNumber, pageSize: maybeNumber, where: undefined, orderBy: undefined });
await users.paginateByCursor({
  after: maybeCursor,
  limit: maybeNumber,
  orderBy: { column: 'created_at', direction: maybeDirection },
  where: undefined,
});
await users.findById(1, { withDeleted: maybeFlag });
await users.count(undefined, { withDeleted: undefined });
for await (const user of users.stream(undefined, { batchSize: maybeNumber, withDeleted: maybeFlag })) void user;

cache({
  store: maybeFlag ? memoryCacheStore({ maxEntries: 1_000 }) : redisCacheStore(redis, { codec: undefined }),
  ttlSeconds: 60,
  keyPrefix: 'app:',
  tables: undefined,
  timeoutMs: maybeNumber,
  logger: undefined,
  logIntervalMs: maybeNumber,
  varyBy: undefined,
});
tenantFilter({ column: maybeText, mode: undefined, setting: maybeText });
tenantPolicySql({
  table: 'orders',
  column: maybeText,
  setting: undefined,
  columnType: undefined,
  policyName: maybeText,
});

const migrator = createMigrator(local, {
  folder: 'migrations',
  migrations: undefined,
  schema: process.env.DB_SCHEMA,
  tableName: maybeText,
  lockTimeoutMs: maybeNumber,
  leaseMs: maybeNumber,
  appliedBy: process.env.USER,
  onProgress: undefined,
});
await migrator.latest({ dryRun: maybeFlag });
await migrator.repair({ accept: '0001_init', reason: 'comment-only edit', by: process.env.USER });
await migrateTenants(local, {
  folder: 'migrations/tenant',
  schemas: undefined,
  tenants: () => Promise.resolve(['acme']),
  action: undefined,
  concurrency: maybeNumber,
  stopOnError: maybeFlag,
  onProgress: undefined,
});

const seeder = defineSeeder<DB>({
  name: 'users',
  run: () => Promise.resolve(),
  truncate: undefined,
  dependsOn: undefined,
  environments: undefined,
  tenant: maybeFlag,
});
await runSeeders(local, [seeder], {
  environment: process.env.NODE_ENV ?? 'development',
  only: undefined,
  tenants: undefined,
  fresh: maybeFlag,
  allowProduction: maybeFlag,
  schema: maybeText,
  tableName: undefined,
});

await withRollback(tls, () => undefined, { isolationLevel: undefined, statementTimeoutMs: maybeNumber });
await findTestServer({ containerImage: process.env.PG_IMAGE, localUrl: maybeText, log: undefined, sources: undefined });

interface Note {
  id: number;
  body: string;
  deleted_at: Date | null;
}
new InMemoryRepository<Note>({
  table: 'notes',
  columns: ['id', 'body', 'deleted_at'],
  columnTypes: { id: 'int4', body: undefined },
  primaryKey: undefined,
  softDelete: maybeFlag ? 'deleted_at' : undefined,
  timestamps: { createdAt: undefined },
  schemas: undefined,
  uniqueKeys: undefined,
  defaults: undefined,
  generateId: undefined,
  defaultOrderBy: undefined,
  tenantColumn: undefined,
  middleware: undefined,
  cursorSecret: process.env.CURSOR_SECRET,
  seed: undefined,
});

export {};
