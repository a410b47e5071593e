import { parseArgs } from 'node:util';

import { createDatabase, type Database } from '../database.js';
import { DataLayerError } from '../errors/data-layer-error.js';
import type { TenantId } from '../middleware/tenant/tenant-context.js';
import { createMigrator } from '../migration/migrator.js';
import { runSeeders } from '../seeding/run-seeders.js';
import { type CliConfig, loadCliConfig } from './cli-config.js';
import { type CliIo, oneLine, USAGE, UsageError } from './cli-io.js';
import { type MigrateArgs, migrateCommand, needsDatabase } from './migrate-command.js';

const OPTIONS = {
  config: { type: 'string' },
  folder: { type: 'string' },
  schema: { type: 'string' },
  table: { type: 'string' },
  schemas: { type: 'string' },
  concurrency: { type: 'string' },
  'stop-on-error': { type: 'boolean' },
  reason: { type: 'string' },
  ext: { type: 'string' },
  'dry-run': { type: 'boolean' },
  only: { type: 'string', multiple: true },
  fresh: { type: 'boolean' },
  env: { type: 'string' },
  'allow-production': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The `data-layer` command line: parses `argv`, runs the command, and returns the exit
 * code (0 success, 1 failure, 2 usage). Errors are one line on stderr, without secrets.
 *
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2))
 * ```
 */
export async function runCli(
  argv: readonly string[],
  io: Omit<CliIo, 'json'> = { out: (text) => console.log(text), err: (text) => console.error(text) },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.err(`data-layer: ${oneLine(error instanceof Error ? error.message : String(error))}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const cli: CliIo = { ...io, json: values.json === true };
  if (values.help === true || positionals.length === 0) {
    (values.help === true ? io.out : io.err)(USAGE);
    return values.help === true ? 0 : 2;
  }
  let db: Database<unknown> | undefined;
  try {
    const config = await loadCliConfig(values.config);
    const [command, ...rest] = positionals;
    const migrate = migrateArgs(values, rest, config);
    if (command !== 'migrate' && command !== 'seed' && command !== 'health')
      throw new UsageError(`Unknown command: ${command}`);
    if (command !== 'migrate' || needsDatabase(migrate))
      db = createDatabase<unknown>({ logger: 'silent', ...config.database });
    if (command === 'migrate') return await migrateCommand(db, config, migrate, cli);
    if (command === 'seed') return await seedCommand(db!, config, values, cli);
    return await healthCommand(db!, config, migrate, cli);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`data-layer: ${oneLine(error.message)}\n\n${USAGE}`);
      return 2;
    }
    const summary =
      error instanceof DataLayerError
        ? `${error.name} ${error.code}: ${error.message}`
        : `${error instanceof Error ? error.name : 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
    io.err(`data-layer: ${oneLine(summary)}`);
    if (cli.json)
      io.out(
        JSON.stringify({
          error: error instanceof DataLayerError ? error.toJSON() : { name: 'Error', message: oneLine(summary) },
        }),
      );
    return 1;
  } finally {
    await db?.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
}

type Values = ReturnType<typeof parse>['values'];

function migrateArgs(values: Values, rest: readonly string[], config: CliConfig): MigrateArgs {
  const [verb, ...more] = rest;
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1))
    throw new UsageError('--concurrency must be a positive integer');
  const fromConfig = config.migrations ?? {};
  const folder =
    values.folder ??
    (fromConfig.migrations === undefined
      ? (fromConfig.folder ?? process.env.DATA_LAYER_MIGRATIONS ?? 'migrations')
      : undefined);
  return {
    verb,
    rest: more,
    migrator: {
      ...fromConfig,
      ...(folder === undefined ? {} : { folder, migrations: undefined }),
      schema: values.schema ?? fromConfig.schema,
      tableName: values.table ?? fromConfig.tableName,
    },
    reason: values.reason,
    dryRun: values['dry-run'] === true,
    extension: values.ext,
    schemas: values.schemas
      ?.split(',')
      .map((each) => each.trim())
      .filter(Boolean),
    concurrency,
    stopOnError: values['stop-on-error'] === true,
  };
}

async function seedCommand(db: Database<unknown>, config: CliConfig, values: Values, io: CliIo): Promise<number> {
  if (config.seeders === undefined) throw new UsageError('seed needs --config <file> exporting seeders');
  const report = await runSeeders(db, config.seeders, {
    environment: values.env ?? process.env.NODE_ENV ?? 'development',
    only: values.only,
    fresh: values.fresh === true,
    allowProduction: values['allow-production'] === true,
    tenants: config.tenants,
    ...(values.schema === undefined ? {} : { schema: values.schema }),
  });
  if (io.json) io.out(JSON.stringify(report));
  else {
    const label = (run: { name: string; tenant: TenantId | undefined }) =>
      run.tenant === undefined ? run.name : `${run.name} (${String(run.tenant)})`;
    for (const run of report.ran) io.out(`seeded ${label(run)}`);
    for (const skipped of report.skipped) io.out(`skipped ${label(skipped)}: ${skipped.reason}`);
  }
  return 0;
}

async function healthCommand(
  db: Database<unknown>,
  config: CliConfig,
  migrate: MigrateArgs,
  io: CliIo,
): Promise<number> {
  const wantsMigrations = config.migrations !== undefined || migrate.migrator.folder !== undefined;
  const migrator = wantsMigrations ? createMigrator(db, migrate.migrator) : undefined;
  const report = await db.health(migrator ? { migrator } : {});
  if (io.json) io.out(JSON.stringify(report));
  else {
    io.out(
      `status ${report.status} (${report.latencyMs} ms)${report.serverVersion ? `, PostgreSQL ${report.serverVersion}` : ''}`,
    );
    const migrations = report.migrations;
    if (migrations && 'error' in migrations)
      io.out(`migrations: unknown (${migrations.error.code}: ${oneLine(migrations.error.message)})`);
    else if (migrations)
      io.out(
        `migrations: latest ${migrations.latest ?? 'none'}, ${migrations.pending} pending, ${migrations.changed} changed`,
      );
    if (report.error) io.out(`error ${report.error.code}: ${oneLine(report.error.message)}`);
  }
  const drifted = report.migrations !== undefined && ('error' in report.migrations || report.migrations.changed > 0);
  return report.status === 'up' && !drifted ? 0 : 1;
}
