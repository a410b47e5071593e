import type { Database } from '../database.js';
import { makeMigration } from '../migration/make-migration.js';
import { migrateTenants } from '../migration/migrate-tenants.js';
import type { MigrationRunResult } from '../migration/migration-types.js';
import { createMigrator, type MigratorOptions } from '../migration/migrator.js';
import type { CliConfig } from './cli-config.js';
import { type CliIo, UsageError } from './cli-io.js';
import { formatTable } from './format-table.js';

export interface MigrateArgs {
  verb: string | undefined;
  rest: readonly string[];
  migrator: Omit<MigratorOptions, 'onProgress'>;
  reason: string | undefined;
  dryRun: boolean;
  extension: string | undefined;
  schemas: readonly string[] | undefined;
  concurrency: number | undefined;
  stopOnError: boolean;
}

const RUN_VERBS = ['latest', 'up', 'down', 'to'] as const;

/** `migrate make` needs no database; every other verb does. */
export function needsDatabase(args: MigrateArgs): boolean {
  return args.verb !== 'make';
}

export async function migrateCommand(
  db: Database<unknown> | undefined,
  config: CliConfig,
  args: MigrateArgs,
  io: CliIo,
): Promise<number> {
  const { verb } = args;
  const progress = (text: string) => io.err(text);
  const options: MigratorOptions = {
    ...args.migrator,
    onProgress: (event) =>
      event.phase === 'done' && progress(`${event.direction} ${event.migration} (${event.durationMs} ms)`),
  };
  if (verb === 'make') {
    const name = single(args.rest, 'migrate make <name>');
    const path = await makeMigration({
      folder: options.folder ?? 'migrations',
      name,
      extension: extension(args.extension),
    });
    io.out(io.json ? JSON.stringify({ created: path }) : `created ${path}`);
    return 0;
  }
  if (db === undefined) throw new Error('internal: no database');
  if (verb === 'tenants') return tenantsCommand(db, config, args, io, options);
  const migrator = createMigrator(db, options);
  if (verb === 'status') {
    const statuses = await migrator.status();
    if (io.json) io.out(JSON.stringify(statuses));
    else
      io.out(
        formatTable(
          ['migration', 'state', 'applied at', 'ms', 'checksum'],
          statuses.map((row) => [
            row.name,
            row.state,
            row.appliedAt?.toISOString() ?? '',
            row.durationMs?.toString() ?? '',
            row.checksum?.slice(0, 12) ?? '',
          ]),
        ),
      );
    return statuses.some((row) => row.state === 'changed' || row.state === 'missing') ? 1 : 0;
  }
  if (verb === 'verify') {
    const report = await migrator.verify();
    io.out(
      io.json
        ? JSON.stringify(report)
        : `verified ${report.verified.length} migrations: every down restores the schema`,
    );
    return 0;
  }
  if (verb === 'repair') {
    const name = single(args.rest, 'migrate repair <name> --reason <text>');
    if (args.reason === undefined || args.reason.trim() === '')
      throw new UsageError('migrate repair needs --reason <text>');
    await migrator.repair({ accept: name, reason: args.reason });
    io.out(io.json ? JSON.stringify({ repaired: name }) : `accepted the current source of ${name}`);
    return 0;
  }
  if ((RUN_VERBS as readonly (string | undefined)[]).includes(verb)) {
    const run = { dryRun: args.dryRun };
    const result =
      verb === 'to'
        ? await migrator.to(single(args.rest, 'migrate to <name>'), run)
        : verb === 'up'
          ? await migrator.up(run)
          : verb === 'down'
            ? await migrator.down(run)
            : await migrator.latest(run);
    printRun(result, io);
    return 0;
  }
  throw new UsageError(verb === undefined ? 'migrate needs a verb' : `Unknown migrate verb: ${verb}`);
}

async function tenantsCommand(
  db: Database<unknown>,
  config: CliConfig,
  args: MigrateArgs,
  io: CliIo,
  options: MigratorOptions,
): Promise<number> {
  const action = args.rest[0];
  if (action !== 'latest' && action !== 'status') throw new UsageError('migrate tenants needs latest or status');
  const schemas = args.schemas ?? (typeof config.tenants === 'function' ? await config.tenants() : config.tenants);
  if (schemas === undefined) throw new UsageError('migrate tenants needs --schemas a,b,c or tenants in --config');
  const { onProgress: _ignored, ...migratorOptions } = options;
  const report = await migrateTenants(db, {
    ...migratorOptions,
    schemas,
    action,
    concurrency: args.concurrency,
    stopOnError: args.stopOnError,
    onProgress: (event) =>
      event.phase !== 'start' && io.err(`[${event.completed}/${event.total}] ${event.schema} ${event.phase}`),
  });
  if (io.json) io.out(JSON.stringify(report));
  else {
    const symbol = { applied: 'x', pending: '.', changed: 'C', missing: 'M' } as const;
    const rows = report.tenants.map((tenant) => [
      tenant.schema,
      tenant.outcome,
      ...report.migrations.map((name) => symbol[report.matrix[tenant.schema]?.[name] ?? 'pending']),
    ]);
    io.out(formatTable(['schema', 'outcome', ...report.migrations], rows));
    for (const tenant of report.tenants) if (tenant.error) io.err(`${tenant.schema}: ${tenant.error.message}`);
  }
  return report.tenants.some((tenant) => tenant.outcome === 'failed') ? 1 : 0;
}

function printRun(result: MigrationRunResult, io: CliIo): void {
  if (io.json) return io.out(JSON.stringify(result));
  const prefix = result.dryRun ? 'dry run (rolled back): ' : '';
  if (result.executed.length === 0) io.out(`${prefix}nothing to migrate`);
  for (const step of result.executed) io.out(`${prefix}${step.direction} ${step.name} (${step.durationMs} ms)`);
  for (const name of result.skipped) io.out(`${prefix}not tried ${name}: transaction: false cannot be rolled back`);
}

function single(rest: readonly string[], usage: string): string {
  if (rest.length !== 1 || rest[0] === undefined) throw new UsageError(`Usage: data-layer ${usage}`);
  return rest[0];
}

function extension(value: string | undefined): 'ts' | 'js' | 'mjs' | undefined {
  if (value === undefined || value === 'ts' || value === 'js' || value === 'mjs') return value;
  throw new UsageError('--ext must be ts, js or mjs');
}
