import { createHash } from 'node:crypto';

import { LRUCache } from 'lru-cache';
import type { PoolClient } from 'pg';

import type { Logger } from '../logging/logger.js';

/** `createDatabase({ preparedStatements })` after defaults: the per-connection bound. */
export interface PreparedStatementSettings {
  max: number;
}

/**
 * The pool-wide policy for named prepared statements: on until the server proves it
 * cannot keep them (then off for the whole pool, logged once), and one bounded cache
 * per pg client, held as long as the client lives.
 */
export class PreparedStatements {
  readonly #settings: PreparedStatementSettings;
  readonly #logger: Logger;
  readonly #caches = new WeakMap<PoolClient, StatementCache>();
  #enabled = true;

  constructor(settings: PreparedStatementSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  cacheFor(client: PoolClient): StatementCache {
    let cache = this.#caches.get(client);
    if (cache === undefined) {
      cache = new StatementCache(this.#settings.max);
      this.#caches.set(client, cache);
    }
    return cache;
  }

  /**
   * Off without a warning: `connect()` found PgBouncer in transaction mode, whose versions
   * before 1.21 do not keep named statements (its info line says so).
   */
  turnOff(): void {
    this.#enabled = false;
  }

  /** The server said it cannot keep named statements: every connection sends unnamed ones from now on. */
  disable(error: unknown): void {
    if (!this.#enabled) return;
    this.#enabled = false;
    this.#logger.warn(
      { err: { message: error instanceof Error ? error.message : String(error) } },
      'the server does not keep named prepared statements (PgBouncer before 1.21 in transaction mode?); ' +
        'this pool now sends unnamed statements. Set preparedStatements: false to skip the failed attempt',
    );
  }
}

/**
 * The named statements of one pg client, least recently used first. An evicted (or
 * invalidated) statement is closed on the server with the next statement this client
 * sends, so the server never holds more than `max` of ours after that statement.
 */
export class StatementCache {
  readonly #names: LRUCache<string, string>;
  #toClose: string[] = [];

  constructor(max: number) {
    this.#names = new LRUCache<string, string>({
      max,
      dispose: (name, _sql, reason) => {
        if (reason === 'evict' || reason === 'delete') this.#forget(name);
      },
    });
  }

  /** The statement name for `sql` on this client, remembered as most recently used. */
  nameFor(sql: string): string {
    let name = this.#names.get(sql);
    if (name === undefined) {
      name = statementName(sql);
      this.#names.set(sql, name);
    }
    return name;
  }

  /** Drops `sql` (its plan is stale, or it never parsed); the server copy is closed before the next statement. */
  invalidate(sql: string): void {
    this.#names.delete(sql);
  }

  /** Names currently cached, most recent first (for tests and diagnostics). */
  names(): string[] {
    return [...this.#names.values()];
  }

  /**
   * Evicted or invalidated statements still on the server, now handed to the caller to
   * close with its next statement (see `queryAfterClosing`); undefined when there are none.
   */
  takeToClose(): string[] | undefined {
    if (this.#toClose.length === 0) return undefined;
    const names = this.#toClose;
    this.#toClose = [];
    return names;
  }

  #forget(name: string): void {
    this.#toClose.push(name);
  }
}

/** `dl_` and 64 bits of the SQL text's SHA-256 in base 36: stable across connections and processes. */
export function statementName(sql: string): string {
  const digest = createHash('sha256').update(sql).digest();
  return `dl_${digest.readBigUInt64BE(0).toString(36)}`;
}
