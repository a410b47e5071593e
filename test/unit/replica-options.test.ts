import { inspect } from 'node:util';

import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../src/config/resolve-options.js';
import { ConfigError, createDatabase, DatabaseClosedError, ValidationError } from '../../src/index.js';
import { decodeToken, encodeToken, formatLsn, parseLsn } from '../../src/replicas/lsn.js';
import { readOperationRunsOnReplica, runsOnReplica } from '../../src/replicas/statement-routing.js';

interface DB {
  notes: { id: number; body: string };
}

const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('replica options', () => {
  it.each([
    [{ replicas: ['mysql://x'] }, 'replicas.0'],
    [{ replicas: [{ connectionString: 'postgres://h/db', host: 'other' }] }, 'replicas.0'],
    [{ replicas: [{ host: 'h', pool: { max: 0 } }] }, 'replicas.0.pool.max'],
    [{ maxLagMs: -1 }, 'maxLagMs'],
    [{ maxWaitMs: 1.5 }, 'maxWaitMs'],
    [{ replicaProbeIntervalMs: 1 }, 'replicaProbeIntervalMs'],
    [{ replicaFallback: 'never' }, 'replicaFallback'],
    [{ pickReplica: 'first' }, 'pickReplica'],
  ])('rejects %j naming the option', (options, option) => {
    let caught: unknown;
    try {
      resolveOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).option).toBe(option);
  });

  it('resolves defaults and keeps replica passwords out of logs and JSON', () => {
    const resolved = resolveOptions({
      replicas: ['postgres://app:s3cret-url@replica-a/db', { name: 'b', host: 'replica-b', password: 's3cret-field' }],
    });
    const replication = resolved.replication!;
    expect(replication).toMatchObject({ maxLagMs: 5_000, maxWaitMs: 0, probeIntervalMs: 1_000, fallback: 'primary' });
    expect(replication.replicas.map((each) => each.name)).toEqual(['replicas[0]', 'b']);
    const shown = `${JSON.stringify(replication)} ${inspect(replication, { depth: 5 })}`;
    expect(shown).not.toMatch(/s3cret/);
    expect(replication.replicas[0]!.connection.target).toBe('postgres://app:***@replica-a/db');
    expect(resolveOptions({}).replication).toBeUndefined();
  });

  it('creates a database with replicas without connecting', async () => {
    const db = createDatabase({ replicas: ['postgres://127.0.0.1:1/db'], logger: 'silent' });
    expect(db.metrics().replicas).toEqual([expect.objectContaining({ name: 'replicas[0]', state: 'unknown' })]);
    await db.close();
  });

  it('fails reads of a closed database with DatabaseClosedError, fail-closed or not', async () => {
    for (const replicaFallback of ['primary', 'error'] as const) {
      const db = createDatabase<DB>({ replicas: ['postgres://127.0.0.1:1/db'], replicaFallback, logger: 'silent' });
      await db.close();
      await expect(db.kysely.selectFrom('notes').selectAll().execute()).rejects.toBeInstanceOf(DatabaseClosedError);
    }
  });
});

describe('consistency tokens', () => {
  it('round-trips WAL positions and orders them numerically', () => {
    expect(formatLsn(parseLsn('16/B374D848'))).toBe('16/B374D848');
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(decodeToken(encodeToken(parseLsn('0/3000060')))).toBe(parseLsn('0/3000060'));
    expect(decodeToken(undefined)).toBeUndefined();
    expect(decodeToken('')).toBeUndefined();
  });

  it.each(['0/3000060', 'lsn:zz/1', 'lsn:', 'lsn:1/2/3'])('rejects %j', (token) => {
    expect(() => decodeToken(token)).toThrow(ValidationError);
  });
});

describe('which statements may run on a replica', () => {
  const compiled = (query: { compile(): CompiledQuery }) => query.compile();

  it('allows plain Kysely SELECTs', () => {
    expect(runsOnReplica(compiled(compiler.selectFrom('notes').selectAll().where('id', '=', 1)))).toBe(true);
    expect(runsOnReplica(compiled(compiler.selectFrom('notes').select('body').orderBy('id').limit(5)))).toBe(true);
  });

  it('keeps writes, locks, raw SQL and writing functions on the primary', () => {
    expect(runsOnReplica(compiled(compiler.insertInto('notes').values({ id: 1, body: 'x' })))).toBe(false);
    expect(runsOnReplica(compiled(compiler.updateTable('notes').set({ body: 'y' })))).toBe(false);
    expect(runsOnReplica(compiled(compiler.deleteFrom('notes')))).toBe(false);
    expect(runsOnReplica(compiled(compiler.selectFrom('notes').selectAll().forUpdate()))).toBe(false);
    expect(runsOnReplica(compiled(compiler.selectFrom('notes').selectAll().forShare()))).toBe(false);
    expect(runsOnReplica(compiled(compiler.selectNoFrom(sql`pg_advisory_lock(1)`.as('l'))))).toBe(false);
    expect(runsOnReplica(compiled(compiler.selectNoFrom(sql`nextval('s')`.as('n'))))).toBe(false);
    expect(
      runsOnReplica(
        compiled(
          compiler
            .with('gone', (db) => db.deleteFrom('notes').returning('id'))
            .selectFrom('gone')
            .selectAll(),
        ),
      ),
    ).toBe(false);
    expect(runsOnReplica(CompiledQuery.raw('select 1'))).toBe(false);
  });

  it('lets read operations run their raw SELECTs there, but not writes or locks', () => {
    expect(readOperationRunsOnReplica(CompiledQuery.raw('select * from "notes" where "id" = $1', [1]))).toBe(true);
    expect(readOperationRunsOnReplica(CompiledQuery.raw('explain select 1'))).toBe(true);
    expect(readOperationRunsOnReplica(CompiledQuery.raw('select * from notes for update'))).toBe(false);
    expect(readOperationRunsOnReplica(CompiledQuery.raw("select set_config('a.b', '1', true)"))).toBe(true);
    expect(readOperationRunsOnReplica(CompiledQuery.raw('insert into notes default values'))).toBe(false);
  });
});
