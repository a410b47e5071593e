import type pg from 'pg';

import type { ConnectionSettings, ResolvedOptions } from '../config/resolve-options.js';
import { createPool } from '../connection/create-pool.js';
import type { EmbeddedOptions } from './embedded-options.js';
import { type EmbeddedServer, startEmbeddedServer, type StartEmbeddedServerOptions } from './embedded-server.js';

/** Starts an embedded server; replaced in tests. */
export type EmbeddedServerStarter = (options: StartEmbeddedServerOptions) => Promise<EmbeddedServer>;

/**
 * The pool of `createDatabase({ embedded })`: the same shape the database uses of a
 * `pg.Pool`, but the server starts on the first `connect()` (or `start()`), and `end()`
 * stops it after draining the pool. A start that failed is tried again on the next call.
 *
 * @example
 * ```ts
 * const pool = new EmbeddedPool(resolveOptions({ embedded: true }))
 * const client = await pool.connect() // starts the server
 * client.release()
 * await pool.end() // stops it, removes temporary data
 * ```
 */
export class EmbeddedPool {
  readonly #options: ResolvedOptions & { readonly embedded: EmbeddedOptions };
  readonly #start: EmbeddedServerStarter;
  #starting: Promise<{ pool: pg.Pool; server: EmbeddedServer }> | undefined;
  #current: pg.Pool | undefined;

  constructor(
    options: ResolvedOptions & { readonly embedded: EmbeddedOptions },
    start: EmbeddedServerStarter = startEmbeddedServer,
  ) {
    this.#options = options;
    this.#start = start;
  }

  /** Resolves once the server accepts connections (started now, or earlier). */
  async start(): Promise<void> {
    await this.#ready();
  }

  async connect(): Promise<pg.PoolClient> {
    return (await this.#ready()).pool.connect();
  }

  /** Drains the pool, then stops the server. Safe to call when it never started. */
  async end(): Promise<void> {
    const starting = this.#starting;
    if (starting === undefined) return;
    const started = await starting.catch(() => undefined);
    if (started === undefined) return;
    try {
      await started.pool.end();
    } finally {
      await started.server.stop();
    }
  }

  get totalCount(): number {
    return this.#current?.totalCount ?? 0;
  }

  get idleCount(): number {
    return this.#current?.idleCount ?? 0;
  }

  get waitingCount(): number {
    return this.#current?.waitingCount ?? 0;
  }

  #ready(): Promise<{ pool: pg.Pool; server: EmbeddedServer }> {
    this.#starting ??= this.#startServer().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #startServer(): Promise<{ pool: pg.Pool; server: EmbeddedServer }> {
    const { logger } = this.#options;
    const server = await this.#start({
      ...this.#options.embedded,
      onLog: (line) => logger.debug({ embeddedPostgres: line }, 'embedded PostgreSQL log'),
    });
    const target = `postgres://${server.user}@${server.host}:${server.port}/${server.database}`;
    logger.info({ target, dataDir: server.dataDir, persistent: server.persistent }, 'embedded PostgreSQL started');
    const connection: Record<string, unknown> = {
      ...this.#options.connection,
      host: server.host,
      port: server.port,
      user: server.user,
      database: server.database,
      target,
    };
    Object.defineProperty(connection, 'password', { value: server.password, enumerable: false });
    const pool = createPool({ ...this.#options, connection: connection as unknown as ConnectionSettings });
    this.#current = pool;
    return { pool, server };
  }
}
