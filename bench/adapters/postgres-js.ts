// postgres.js 3.4 (its own protocol client; prepares statements by default), max 10 connections.
import postgres from 'postgres';

import type { Adapter, AdapterConfig, TenantMode } from './adapter.js';
import { type KeysetPosition, PAGE, STREAM_BATCH } from './sql.js';

type Sql = postgres.Sql;

function sqlFor(url: string, config: AdapterConfig): Sql {
  return postgres(url, {
    max: config.poolSize,
    idle_timeout: config.idleTimeoutMs / 1000,
    connection: { search_path: config.schema },
    onnotice: () => {},
  });
}

class PostgresJsAdapter implements Adapter {
  readonly library = 'postgres.js' as const;
  readonly #sql: Sql;
  #rls: Sql | undefined;
  #positions: KeysetPosition[] = [];

  constructor(readonly config: AdapterConfig) {
    this.#sql = sqlFor(config.url, config);
  }

  async prepare(workload: string): Promise<void> {
    const sql = this.#sql;
    if (workload.startsWith('keyset')) {
      this.#positions = await sql<KeysetPosition[]>`select created_at::text as created_at, id from items
        where id % 50 = 1 and id <= ${this.config.items - PAGE - 1} order by created_at, id`;
    }
    if (workload === 'tenant-rls-32') this.#rls = sqlFor(this.config.rlsUrl, this.config);
  }

  async findById(id: number): Promise<unknown> {
    const sql = this.#sql;
    return (await sql`select * from items where id = ${id}`)[0];
  }

  async keysetPage(index: number): Promise<number> {
    const sql = this.#sql;
    const at = this.#positions[index % this.#positions.length]!;
    const rows = await sql`select * from items where (created_at, id) > (${at.created_at}, ${at.id})
      order by created_at, id limit ${PAGE + 1}`;
    return rows.slice(0, PAGE).length;
  }

  async insertReturning(tag: string, qty: number): Promise<unknown> {
    const sql = this.#sql;
    return (await sql`insert into events (tag, qty) values (${tag}, ${qty}) returning *`)[0];
  }

  async txInsertUpdate(tag: string): Promise<void> {
    await this.#sql.begin(async (sql) => {
      const [row] = await sql<{ id: number }[]>`insert into events (tag, qty) values (${tag}, 0) returning *`;
      await sql`update events set qty = -1 where id = ${row!.id} returning *`;
    });
  }

  async txSavepointRollback(tag: string): Promise<void> {
    const rolledBack = new Error('roll back the savepoint');
    await this.#sql.begin(async (sql) => {
      await sql`insert into events (tag, qty) values (${tag}, 0) returning *`;
      try {
        await sql.savepoint(async (inner) => {
          await inner`insert into events (tag, qty) values (${tag}, -9) returning *`;
          throw rolledBack;
        });
      } catch (error) {
        if (error !== rolledBack) throw error;
      }
    });
  }

  async createMany(tag: string, count: number): Promise<number> {
    const sql = this.#sql;
    const rows = Array.from({ length: count }, (_, qty) => ({ tag, qty }));
    return (await sql`insert into events ${sql(rows, 'tag', 'qty')} returning *`).length;
  }

  async tenantFindById(mode: TenantMode, tenant: string, id: number): Promise<unknown> {
    if (mode === 'filter') {
      const sql = this.#sql;
      return (await sql`select * from tenant_items where id = ${id} and tenant_id = ${tenant}`)[0];
    }
    return this.#rls!.begin(async (sql) => {
      await sql`select set_config('app.tenant_id', ${tenant}, true)`;
      return (await sql`select * from tenant_items where id = ${id}`)[0];
    });
  }

  async stream(onRow: () => void): Promise<number> {
    const sql = this.#sql;
    let count = 0;
    for await (const rows of sql`select * from stream_rows order by id`.cursor(STREAM_BATCH)) {
      for (let i = 0; i < rows.length; i++) onRow();
      count += rows.length;
    }
    return count;
  }

  async findByIdWithAuthor(id: number): Promise<unknown> {
    const sql = this.#sql;
    const [item] = await sql<{ author_id: number }[]>`select * from items where id = ${id}`;
    if (item === undefined) return undefined;
    const [author] = await sql`select * from authors where id = ${item.author_id}`;
    return { ...item, author: author ?? null };
  }

  async close(): Promise<void> {
    await Promise.all([this.#sql.end(), this.#rls?.end()]);
  }
}

export function createAdapter(config: AdapterConfig): Adapter {
  return new PostgresJsAdapter(config);
}
