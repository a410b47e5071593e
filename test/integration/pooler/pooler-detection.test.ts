import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { detectTransactionPooler } from '../../../src/connection/detect-pooler.js';
import {
  ConfigError,
  createDatabase,
  type Database,
  type DatabaseOptions,
  StatementTimeoutError,
} from '../../../src/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { type PgBouncer, pgbouncerUnavailable, startPgBouncer } from '../../support/pgbouncer.js';
import { hostAndPort } from '../../support/tcp.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';
import { bouncerUrl, serverSession, withRawClient } from './bouncer-fixture.js';

interface DB {
  items: { id: number };
}

const unavailable = isRealServer() ? pgbouncerUnavailable() : 'needs a real PostgreSQL server';
if (unavailable) console.info(`[pooler-detection] skipped: ${unavailable}`);

const t = useTestDatabase<DB>('pooler_detect');
const bouncers: Record<'shared' | 'pair' | 'session' | 'strict', PgBouncer | undefined> = {
  shared: undefined,
  pair: undefined,
  session: undefined,
  strict: undefined,
};
const opened: Database<DB>[] = [];
const pools: pg.Pool[] = [];

function open(bouncer: PgBouncer, options: DatabaseOptions = {}): Database<DB> {
  const db = createDatabase<DB>({ connectionString: bouncerUrl(bouncer), logger: 'silent', ...options });
  opened.push(db);
  return db;
}

function rawPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pools.push(pool);
  return pool;
}

describe.skipIf(unavailable !== undefined)('pooler detection at connect()', () => {
  beforeAll(async () => {
    await sql`create table items (id int primary key)`.execute(t.db.kysely);
    const target = hostAndPort(inject('databaseUrl'));
    const [shared, pair, session, strict] = await Promise.all([
      startPgBouncer(target, ['postgres']),
      startPgBouncer(target, ['postgres'], { poolSize: 2 }),
      startPgBouncer(target, ['postgres'], { poolMode: 'session' }),
      // Refuses statement_timeout (and options): PgBouncer's default ignore list is empty.
      startPgBouncer(target, ['postgres'], { ignoreStartupParameters: ['extra_float_digits'] }),
    ]);
    Object.assign(bouncers, { shared, pair, session, strict });
  });
  afterAll(async () => {
    await Promise.all([...opened.map((db) => db.close()), ...pools.map((pool) => pool.end())]);
    await Promise.all(Object.values(bouncers).map((bouncer) => bouncer?.stop() ?? Promise.resolve()));
  });

  it('sees the backend pid change on one client when another client took its server connection in between', async () => {
    const bouncer = bouncers.pair!;
    const other = new pg.Client({ connectionString: bouncerUrl(bouncer) });
    await other.connect();
    let otherPid: number | undefined;
    let firstPid: number | undefined;
    const pool = rawPool(bouncerUrl(bouncer), 1);
    // Between our two statements, another client opens a transaction: PgBouncer (LIFO)
    // hands it the server connection our first statement just used.
    const source = {
      connect: async () => {
        const client = await pool.connect();
        const query = client.query.bind(client) as (text: string) => Promise<pg.QueryResult<{ pid: number }>>;
        let calls = 0;
        (client as unknown as { query: typeof query }).query = async (text) => {
          const result = await query(text);
          if (++calls === 1) {
            firstPid = result.rows[0]!.pid;
            await other.query('begin');
            otherPid = (await other.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
          }
          return result;
        };
        return client;
      },
    };
    try {
      // poolMax 1: only the pid-change check can answer.
      expect(await detectTransactionPooler(source, { poolMax: 1, secondClientTimeoutMs: 1_000 })).toBe(true);
      expect(otherPid).toBe(firstPid);
    } finally {
      await other.query('rollback');
      await other.end();
    }
  });

  it('sees two clients checked out at once share one backend pid, and never reports a direct connection', async () => {
    const options = { poolMax: 2, secondClientTimeoutMs: 1_000 };
    expect(await detectTransactionPooler(rawPool(bouncerUrl(bouncers.shared!), 2), options)).toBe(true);
    expect(await detectTransactionPooler(rawPool(inject('databaseUrl'), 2), options)).toBe(false);
    // One connection only, direct: no pid change, no second client to compare.
    expect(await detectTransactionPooler(rawPool(inject('databaseUrl'), 1), { ...options, poolMax: 1 })).toBe(false);
  });

  it('gives up on the second client behind a full session-mode pooler instead of hanging', async () => {
    const started = performance.now();
    const pool = rawPool(bouncerUrl(bouncers.session!), 2);
    expect(await detectTransactionPooler(pool, { poolMax: 2, secondClientTimeoutMs: 300 })).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
    // Session mode binds the server to that pool's idle client until it disconnects.
    await pool.end();
    pools.splice(pools.indexOf(pool), 1);
    const db = open(bouncers.session!, { pool: { max: 2, connectionTimeoutMs: 300 } });
    await db.connect();
    expect((await db.health()).pooler).toEqual({ mode: 'none', source: 'default' });
  });

  it('switches a database with pooler unset to transaction mode, logs once, and then enforces its settings', async () => {
    const logger = captureLogger();
    const db = open(bouncers.shared!, {
      logger,
      pool: { max: 2 },
      statementTimeoutMs: 300,
      searchPath: [t.schema, 'public'],
    });
    await db.connect();
    await db.connect();
    expect((await db.health()).pooler).toEqual({ mode: 'pgbouncer-transaction', source: 'detected' });
    const detected = logger.lines.filter((line) => line.message?.includes('PgBouncer in transaction mode detected'));
    expect(detected).toHaveLength(1);
    expect(detected[0]!.level).toBe('info');
    // PgBouncer dropped the startup parameters; now the settings travel with each statement.
    await expect(sql`select pg_sleep(2)`.execute(db.kysely)).rejects.toBeInstanceOf(StatementTimeoutError);
    await db.kysely.selectFrom('items').selectAll().where('id', '=', 1).execute();
    const session = await serverSession(bouncers.shared!);
    expect(session).toEqual({ statementTimeout: '0', searchPath: '"$user", public', prepared: 0 });
    // Named statements went off quietly (no fallback warning).
    expect(logger.lines.filter((line) => line.level === 'warn')).toEqual([]);
  });

  it('skips detection when pooler is configured, either way', async () => {
    for (const pooler of ['pgbouncer-transaction', 'none'] as const) {
      const db = open(bouncers.shared!, { pooler, pool: { max: 2 } });
      await db.connect();
      expect((await db.health()).pooler).toEqual({ mode: pooler, source: 'configured' });
      // Detection would have checked out a second connection.
      expect(db.metrics().pool.total).toBe(1);
    }
    const detecting = open(bouncers.shared!, { pool: { max: 2 } });
    await detecting.connect();
    expect(detecting.metrics().pool.total).toBe(2);
  });

  it("names a refused startup parameter and suggests pooler: 'pgbouncer-transaction', which then works", async () => {
    const refused = open(bouncers.strict!, { statementTimeoutMs: 300, retry: { attempts: 1 } });
    const error = await refused.connect().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option: 'pooler' });
    expect((error as ConfigError).message).toContain('"statement_timeout"');
    expect((error as ConfigError).message).toContain("pooler: 'pgbouncer-transaction'");
    const pooled = open(bouncers.strict!, {
      statementTimeoutMs: 300,
      searchPath: [t.schema],
      pooler: 'pgbouncer-transaction',
    });
    await pooled.connect();
    await expect(sql`select pg_sleep(2)`.execute(pooled.kysely)).rejects.toBeInstanceOf(StatementTimeoutError);
    await withRawClient(bouncers.strict!, async (client) => {
      expect((await client.query('show statement_timeout')).rows[0]).toEqual({ statement_timeout: '0' });
    });
  });
});
