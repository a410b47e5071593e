// @org/data-layer from the built package (../dist, `npm run build`): BaseRepository for
// every read and write, db.transaction for units of work (nested = savepoint).

import {
  BaseRepository,
  belongsTo,
  cache,
  createDatabase,
  type Database,
  memoryCacheStore,
  tenantFilter,
  withTenant,
} from '../../dist/index.js';
import type { Adapter, AdapterConfig, TenantMode } from './adapter.js';
import { type BenchDB as DB, PAGE, STREAM_BATCH } from './sql.js';

const rolledBack = new Error('roll back the savepoint');

class DataLayerAdapter implements Adapter {
  readonly library = 'data-layer' as const;
  readonly #db: Database<DB>;
  readonly #extra: Array<Database<DB>> = [];
  readonly #items: BaseRepository<DB, 'items'>;
  readonly #events: BaseRepository<DB, 'events'>;
  readonly #authors: BaseRepository<DB, 'authors'>;
  readonly #withAuthor;
  #cached: BaseRepository<DB, 'items'> | undefined;
  #tenant: BaseRepository<DB, 'tenant_items'> | undefined;
  #cursors: string[] = [];

  constructor(readonly config: AdapterConfig) {
    this.#db = this.#database(config.url);
    this.#items = new BaseRepository(this.#db, { table: 'items' });
    this.#events = new BaseRepository(this.#db, { table: 'events' });
    this.#authors = new BaseRepository(this.#db, { table: 'authors' });
    const authors = this.#authors;
    this.#withAuthor = new BaseRepository(this.#db, {
      table: 'items',
      relations: { author: belongsTo(() => authors, { foreignKey: 'author_id' }) },
    });
  }

  #database(url: string, middleware: Parameters<typeof createDatabase>[0] = {}): Database<DB> {
    return createDatabase<DB>({
      connectionString: url,
      searchPath: this.config.schema,
      pool: { max: this.config.poolSize, idleTimeoutMs: this.config.idleTimeoutMs },
      logger: 'silent',
      ...middleware,
    });
  }

  async prepare(workload: string): Promise<void> {
    if (workload.startsWith('keyset')) {
      // Walk the table once to collect real cursors (opaque to the caller), as a feed would.
      let after: string | undefined;
      for (;;) {
        const page = await this.#items.paginateByCursor({ after, limit: PAGE, orderBy: ['created_at'] });
        if (!page.hasNextPage || page.nextCursor === undefined) break;
        after = page.nextCursor;
        this.#cursors.push(after);
      }
      this.#cursors.pop(); // the last cursor's page is short
    }
    if (workload === 'cache-hit-32') {
      const store = memoryCacheStore({ maxEntries: this.config.items * 2 });
      this.#cached = new BaseRepository(this.#db, {
        table: 'items',
        middleware: [cache({ store, ttlSeconds: 3_600, keyPrefix: 'bench:' })],
      });
      const cached = this.#cached;
      // Fill the cache 32 reads at a time (every measured call is then a hit).
      for (let first = 1; first <= this.config.items; first += 32) {
        const ids = Array.from({ length: Math.min(32, this.config.items - first + 1) }, (_, i) => first + i);
        await Promise.all(ids.map((id) => cached.findById(id)));
      }
    }
    if (workload === 'tenant-filter-32' || workload === 'tenant-rls-32') {
      const mode: TenantMode = workload === 'tenant-rls-32' ? 'rls' : 'filter';
      const url = mode === 'rls' ? this.config.rlsUrl : this.config.url;
      const db = this.#database(url, { middleware: [tenantFilter({ mode })] });
      this.#extra.push(db);
      this.#tenant = new BaseRepository(db, { table: 'tenant_items' });
    }
  }

  findById(id: number): Promise<unknown> {
    return this.#items.findById(id);
  }

  async keysetPage(index: number): Promise<number> {
    const after = this.#cursors[index % this.#cursors.length]!;
    const page = await this.#items.paginateByCursor({ after, limit: PAGE, orderBy: ['created_at'] });
    return page.items.length;
  }

  insertReturning(tag: string, qty: number): Promise<unknown> {
    return this.#events.create({ tag, qty });
  }

  txInsertUpdate(tag: string): Promise<void> {
    return this.#db.transaction(async () => {
      const row = await this.#events.create({ tag, qty: 0 });
      await this.#events.update(row.id, { qty: -1 });
    });
  }

  txSavepointRollback(tag: string): Promise<void> {
    return this.#db.transaction(async () => {
      await this.#events.create({ tag, qty: 0 });
      try {
        await this.#db.transaction(async () => {
          await this.#events.create({ tag, qty: -9 });
          throw rolledBack;
        });
      } catch (error) {
        if (error !== rolledBack) throw error;
      }
    });
  }

  async createMany(tag: string, count: number): Promise<number> {
    const rows = Array.from({ length: count }, (_, qty) => ({ tag, qty }));
    return (await this.#events.createMany(rows)).length;
  }

  cacheHit(id: number): Promise<unknown> {
    return this.#cached!.findById(id);
  }

  tenantFindById(_mode: TenantMode, tenant: string, id: number): Promise<unknown> {
    return withTenant(tenant, () => this.#tenant!.findById(id));
  }

  async stream(onRow: () => void): Promise<number> {
    const rows = new BaseRepository(this.#db, { table: 'stream_rows' });
    let count = 0;
    for await (const _row of rows.stream(undefined, { batchSize: STREAM_BATCH })) {
      onRow();
      count++;
    }
    return count;
  }

  findByIdWithAuthor(id: number): Promise<unknown> {
    return this.#withAuthor.findById(id, { include: { author: true } });
  }

  async close(): Promise<void> {
    await Promise.all([this.#db.close(), ...this.#extra.map((db) => db.close())]);
  }
}

export function createAdapter(config: AdapterConfig): Adapter {
  return new DataLayerAdapter(config);
}
