// kysely 0.28 over its PostgresDialect on a pg.Pool (pool 10), query builder per call.
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import Cursor from 'pg-cursor';

import type { Adapter, AdapterConfig, TenantMode } from './adapter.js';
import { poolFor } from './pg-pool.js';
import { type BenchDB as DB, type KeysetPosition, PAGE, STREAM_BATCH } from './sql.js';

function kyselyFor(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool, cursor: Cursor }) });
}

class KyselyAdapter implements Adapter {
  readonly library = 'kysely' as const;
  readonly #db: Kysely<DB>;
  #rls: Kysely<DB> | undefined;
  #positions: KeysetPosition[] = [];

  constructor(readonly config: AdapterConfig) {
    this.#db = kyselyFor(poolFor(config.url, config));
  }

  async prepare(workload: string): Promise<void> {
    if (workload.startsWith('keyset')) {
      const { rows } = await sql<KeysetPosition>`select created_at::text as created_at, id from items
        where id % 50 = 1 and id <= ${this.config.items - PAGE - 1} order by created_at, id`.execute(this.#db);
      this.#positions = rows;
    }
    if (workload === 'tenant-rls-32') this.#rls = kyselyFor(poolFor(this.config.rlsUrl, this.config));
  }

  findById(id: number): Promise<unknown> {
    return this.#db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async keysetPage(index: number): Promise<number> {
    const at = this.#positions[index % this.#positions.length]!;
    const rows = await this.#db
      .selectFrom('items')
      .selectAll()
      .where(sql<boolean>`(created_at, id) > (${at.created_at}, ${at.id})`)
      .orderBy('created_at')
      .orderBy('id')
      .limit(PAGE + 1)
      .execute();
    return rows.slice(0, PAGE).length;
  }

  insertReturning(tag: string, qty: number): Promise<unknown> {
    return this.#db.insertInto('events').values({ tag, qty }).returningAll().executeTakeFirstOrThrow();
  }

  async txInsertUpdate(tag: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx.insertInto('events').values({ tag, qty: 0 }).returningAll().executeTakeFirstOrThrow();
      await trx.updateTable('events').set({ qty: -1 }).where('id', '=', row.id).returningAll().executeTakeFirst();
    });
  }

  async txSavepointRollback(tag: string): Promise<void> {
    const trx = await this.#db.startTransaction().execute();
    try {
      await trx.insertInto('events').values({ tag, qty: 0 }).returningAll().executeTakeFirstOrThrow();
      const inner = await trx.savepoint('sp').execute();
      await inner.insertInto('events').values({ tag, qty: -9 }).returningAll().executeTakeFirstOrThrow();
      await inner.rollbackToSavepoint('sp').execute();
      await trx.commit().execute();
    } catch (error) {
      await trx.rollback().execute();
      throw error;
    }
  }

  async createMany(tag: string, count: number): Promise<number> {
    const rows = Array.from({ length: count }, (_, qty) => ({ tag, qty }));
    return (await this.#db.insertInto('events').values(rows).returningAll().execute()).length;
  }

  async tenantFindById(mode: TenantMode, tenant: string, id: number): Promise<unknown> {
    if (mode === 'filter')
      return this.#db
        .selectFrom('tenant_items')
        .selectAll()
        .where('id', '=', id)
        .where('tenant_id', '=', tenant)
        .executeTakeFirst();
    return this.#rls!.transaction().execute(async (trx) => {
      await sql`select set_config('app.tenant_id', ${tenant}, true)`.execute(trx);
      return trx.selectFrom('tenant_items').selectAll().where('id', '=', id).executeTakeFirst();
    });
  }

  async stream(onRow: () => void): Promise<number> {
    let count = 0;
    for await (const _row of this.#db.selectFrom('stream_rows').selectAll().orderBy('id').stream(STREAM_BATCH)) {
      onRow();
      count++;
    }
    return count;
  }

  async findByIdWithAuthor(id: number): Promise<unknown> {
    const item = await this.#db.selectFrom('items').selectAll().where('id', '=', id).executeTakeFirst();
    if (item === undefined) return undefined;
    const author = await this.#db.selectFrom('authors').selectAll().where('id', '=', item.author_id).executeTakeFirst();
    return { ...item, author: author ?? null };
  }

  async close(): Promise<void> {
    await Promise.all([this.#db.destroy(), this.#rls?.destroy()]);
  }
}

export function createAdapter(config: AdapterConfig): Adapter {
  return new KyselyAdapter(config);
}
