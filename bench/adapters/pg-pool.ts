// The reference: a plain pg.Pool, unnamed (parse every time) statements.
import pg from 'pg';
import Cursor from 'pg-cursor';

import type { LibraryId } from '../lib/types.js';
import type { Adapter, AdapterConfig, TenantMode } from './adapter.js';
import { createManyStatement, type KeysetPosition, PAGE, SQL, STREAM_BATCH } from './sql.js';

type Run = (client: pg.ClientBase | pg.Pool, name: string, text: string, values: unknown[]) => Promise<pg.QueryResult>;

export function poolFor(url: string, config: AdapterConfig): pg.Pool {
  return new pg.Pool({
    connectionString: url,
    max: config.poolSize,
    idleTimeoutMillis: config.idleTimeoutMs,
    options: `-c search_path=${config.schema}`,
  });
}

/**
 * pg-pool and pg-named share everything but how a statement is sent: `run` sends it
 * unnamed (pg-pool) or as a named prepared statement (pg-named).
 */
export class PgAdapter implements Adapter {
  readonly #pool: pg.Pool;
  #rlsPool: pg.Pool | undefined;
  #positions: KeysetPosition[] = [];

  constructor(
    readonly library: LibraryId,
    readonly config: AdapterConfig,
    readonly run: Run,
  ) {
    this.#pool = poolFor(config.url, config);
  }

  async prepare(workload: string): Promise<void> {
    if (workload.startsWith('keyset')) {
      const { rows } = await this.#pool.query<KeysetPosition>(SQL.keysetPositions, [this.config.items - PAGE - 1]);
      this.#positions = rows;
    }
    if (workload === 'tenant-rls-32') this.#rlsPool = poolFor(this.config.rlsUrl, this.config);
  }

  async findById(id: number): Promise<unknown> {
    return (await this.run(this.#pool, 'find', SQL.findById, [id])).rows[0];
  }

  async keysetPage(index: number): Promise<number> {
    const at = this.#positions[index % this.#positions.length]!;
    const { rows } = await this.run(this.#pool, 'keyset', SQL.keysetPage, [at.created_at, at.id]);
    return rows.slice(0, PAGE).length;
  }

  async insertReturning(tag: string, qty: number): Promise<unknown> {
    return (await this.run(this.#pool, 'insert', SQL.insert, [tag, qty])).rows[0];
  }

  async #transaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('begin');
      await work(client);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  txInsertUpdate(tag: string): Promise<void> {
    return this.#transaction(this.#pool, async (client) => {
      const { rows } = await this.run(client, 'insert', SQL.insert, [tag, 0]);
      await this.run(client, 'update', SQL.update, [-1, (rows[0] as { id: number }).id]);
    });
  }

  txSavepointRollback(tag: string): Promise<void> {
    return this.#transaction(this.#pool, async (client) => {
      await this.run(client, 'insert', SQL.insert, [tag, 0]);
      await client.query('savepoint sp');
      await this.run(client, 'insert', SQL.insert, [tag, -9]);
      await client.query('rollback to savepoint sp');
    });
  }

  async createMany(tag: string, count: number): Promise<number> {
    const { text, values } = createManyStatement(tag, count);
    return (await this.#pool.query(text, values)).rowCount ?? 0;
  }

  async tenantFindById(mode: TenantMode, tenant: string, id: number): Promise<unknown> {
    if (mode === 'filter') return (await this.run(this.#pool, 'tenant', SQL.tenantFilter, [id, tenant])).rows[0];
    let row: unknown;
    await this.#transaction(this.#rlsPool!, async (client) => {
      await this.run(client, 'set-tenant', SQL.setTenant, [tenant]);
      row = (await this.run(client, 'tenant-rls', SQL.tenantRls, [id])).rows[0];
    });
    return row;
  }

  async stream(onRow: () => void): Promise<number> {
    const client = await this.#pool.connect();
    let count = 0;
    try {
      const cursor = client.query(new Cursor(SQL.stream));
      for (;;) {
        const rows = await cursor.read(STREAM_BATCH);
        if (rows.length === 0) break;
        for (let i = 0; i < rows.length; i++) onRow();
        count += rows.length;
      }
      await cursor.close();
    } finally {
      client.release();
    }
    return count;
  }

  async findByIdWithAuthor(id: number): Promise<unknown> {
    const item = (await this.run(this.#pool, 'find', SQL.findById, [id])).rows[0] as { author_id: number } | undefined;
    if (item === undefined) return undefined;
    const author = (await this.run(this.#pool, 'author', SQL.author, [item.author_id])).rows[0] as unknown;
    return { ...item, author: author ?? null };
  }

  async close(): Promise<void> {
    await Promise.all([this.#pool.end(), this.#rlsPool?.end()]);
  }
}

export function createAdapter(config: AdapterConfig): Adapter {
  return new PgAdapter('pg-pool', config, (client, _name, text, values) => client.query(text, values));
}
