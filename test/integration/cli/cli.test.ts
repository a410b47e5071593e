import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { HealthReport, MigrationRunResult, MigrationStatus, TenantMigrationReport } from '../../../src/index.js';
import { buildCli, runBuiltCli } from '../../support/built-cli.js';
import { FIXTURES, migrationFolder } from '../../support/migration-fixtures.js';
import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('cli');
const CONFIG = resolve(import.meta.dirname, '../../fixtures/cli/data-layer.config.mjs');
const folder = migrationFolder();
let cli = '';
const env = () => ({ DATABASE_URL: inject('databaseUrl'), CLI_TEST_SCHEMA: t.schema });
const dl = (...args: string[]) => runBuiltCli(cli, args, env());
const migrate = (...args: string[]) => dl('migrate', ...args, '--folder', folder.dir, '--schema', t.schema);

describe('the built data-layer CLI against PostgreSQL', () => {
  beforeAll(() => {
    cli = buildCli();
    for (const file of readdirSync(resolve(FIXTURES, '../cli/migrations')))
      folder.write(file, readFileSync(resolve(FIXTURES, '../cli/migrations', file), 'utf8'));
  });
  afterAll(() => {
    folder.dispose();
    rmSync(resolve(cli, '..'), { recursive: true, force: true });
  });

  it('prints a status table, applies with progress on stderr, and answers --json', async () => {
    const before = await migrate('status');
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^migration\s+state\s+applied at\s+ms\s+checksum\n-+/);
    expect(before.stdout).toMatch(/0001_widgets\s+pending/);
    const latest = await migrate('latest', '--json');
    expect(latest.code).toBe(0);
    expect((JSON.parse(latest.stdout) as MigrationRunResult).executed.map((step) => step.name)).toEqual([
      '0001_widgets',
      '0002_widget_colour',
    ]);
    expect(latest.stderr).toMatch(/up 0001_widgets \(\d+ ms\)\nup 0002_widget_colour/);
    const status = JSON.parse((await migrate('status', '--json')).stdout) as MigrationStatus[];
    expect(status.map((row) => row.state)).toEqual(['applied', 'applied']);
    expect((await migrate('down')).stdout).toMatch(/^down 0002_widget_colour \(\d+ ms\)/);
    expect((await migrate('to', '0002_widget_colour', '--dry-run')).stdout).toMatch(
      /^dry run \(rolled back\): up 0002_widget_colour/,
    );
    expect((await migrate('up')).stdout).toMatch(/^up 0002_widget_colour/);
    expect((await migrate('verify')).stdout).toBe('verified 2 migrations: every down restores the schema\n');
  });

  it('exits 2 on usage errors and 1 with a one-line error on a changed migration, until repair', async () => {
    for (const args of [
      ['migrate', 'frobnicate'],
      ['--nope'],
      [],
      ['migrate', 'repair', '0001_widgets'],
      ['migrate', 'to'],
    ]) {
      const result = await dl(...args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('Usage: data-layer');
    }
    folder.write('0001_widgets.mjs', readFileSync(join(folder.dir, '0001_widgets.mjs'), 'utf8') + '// edited\n');
    const refused = await migrate('latest');
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(
      /^data-layer: MigrationError MIGRATION_FAILED: Migration 0001_widgets was changed after it was applied/,
    );
    expect((await migrate('status')).code).toBe(1);
    expect((await migrate('repair', '0001_widgets', '--reason', 'comment')).code).toBe(0);
    expect((await migrate('latest')).stdout).toBe('nothing to migrate\n');
  });

  it('says to use tsx for a .ts migration under plain node, and never prints the password', async () => {
    const ts = migrationFolder('basic');
    try {
      const result = await runBuiltCli(cli, ['migrate', 'status', '--folder', ts.dir, '--schema', t.schema], env());
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('is TypeScript and this process cannot load .ts files: run it under tsx');
      expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    } finally {
      ts.dispose();
    }
    const url = new URL(inject('databaseUrl'));
    url.password = 'hunter2-secret';
    url.port = '1';
    const down = await runBuiltCli(cli, ['migrate', 'status', '--folder', folder.dir, '--json'], {
      DATABASE_URL: url.toString(),
      DB_CONNECTION_TIMEOUT_MS: '2000',
    });
    expect(down.code).toBe(1);
    expect(down.stderr + down.stdout).not.toContain('hunter2-secret');
    expect(JSON.parse(down.stdout)).toMatchObject({ error: { name: 'ConnectionError' } });
  });

  it('make writes a timestamped template with up and down', async () => {
    const made = await dl('migrate', 'make', 'add_gadgets', '--folder', folder.dir, '--ext', 'mjs', '--json');
    const { created } = JSON.parse(made.stdout) as { created: string };
    expect(created).toMatch(/\/\d{14}_add_gadgets\.mjs$/);
    expect(readFileSync(created, 'utf8')).toMatch(
      /export async function up\(db\)[\s\S]*export async function down\(db\)/,
    );
    rmSync(created);
    expect(existsSync(created)).toBe(false);
  });

  it('seeds from --config, refuses production, and reports health with the migration summary', async () => {
    const seeded = await dl('seed', '--config', CONFIG, '--env', 'development', '--schema', t.schema);
    expect(seeded).toMatchObject({ code: 0, stdout: 'seeded widgets\n' });
    expect((await dl('seed', '--config', CONFIG, '--env', 'development', '--schema', t.schema)).stdout).toBe(
      'skipped widgets: already-ran\n',
    );
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from widgets`.execute(t.db.kysely);
    expect(rows[0]!.n).toBe(2);
    const production = await dl('seed', '--config', CONFIG, '--env', 'production', '--schema', t.schema);
    expect(production.code).toBe(1);
    expect(production.stderr).toContain('ConfigError CONFIG_INVALID: Refusing to seed environment production');
    const health = await dl('health', '--folder', folder.dir, '--schema', t.schema, '--json');
    expect(health.code).toBe(0);
    expect((JSON.parse(health.stdout) as HealthReport).migrations).toEqual({
      latest: '0002_widget_colour',
      pending: 0,
      changed: 0,
    });
    // The config's folder holds the unedited 0001_widgets, whose edit the ledger accepted: drift, exit 1.
    const drift = await dl('health', '--config', CONFIG);
    expect(drift).toMatchObject({
      code: 1,
      stdout: expect.stringContaining('migrations: latest 0002_widget_colour, 0 pending, 1 changed') as string,
    });
  });

  it('migrate tenants latest prints a tenant x migration matrix', async () => {
    const schemas = [`${t.schema}_a`, `${t.schema}_b`];
    try {
      const result = await dl(
        'migrate',
        'tenants',
        'latest',
        '--folder',
        folder.dir,
        '--schemas',
        schemas.join(','),
        '--json',
      );
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout) as TenantMigrationReport;
      expect(report.matrix[schemas[1]!]).toEqual({ '0001_widgets': 'applied', '0002_widget_colour': 'applied' });
      const table = await dl('migrate', 'tenants', 'status', '--folder', folder.dir, '--schemas', schemas.join(','));
      expect(table.stdout).toMatch(new RegExp(`${schemas[0]}\\s+ok\\s+x\\s+x`));
    } finally {
      for (const schema of schemas) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(t.db.kysely);
    }
  });
});
