import type pg from 'pg';

import type { ConnectionSettings, ResolvedOptions } from '../config/resolve-options.js';
import type { PgDriver } from '../driver/pg-driver.js';
import type { PreparedStatements } from '../driver/prepared-statements.js';
import { localSettingsSql } from '../driver/transaction-local-settings.js';
import { describeError } from '../logging/describe-error.js';
import { dropStartupSettings } from './create-pool.js';
import { detectTransactionPooler, type PoolerReport } from './detect-pooler.js';

// Keyed by the database handle: code that gets only the handle (the migrator) asks here.
const modes = new WeakMap<object, PoolerMode>();

/** Whether `database` runs behind PgBouncer in transaction mode (configured, or detected by `connect()`). */
export function behindTransactionPooler(database: object): boolean {
  return modes.get(database)?.report().mode === 'pgbouncer-transaction';
}

/** Longest wait for detection's second client (a session-mode pooler with a full pool never grants it). */
const SECOND_CLIENT_TIMEOUT_MS = 1_000;

/**
 * The `set local ...` a pool's transactions carry when `pooler: 'pgbouncer-transaction'`
 * is configured; undefined otherwise (the settings are startup parameters, or unset).
 */
export function configuredLocalSettings(
  options: Pick<ResolvedOptions, 'pooler' | 'statementTimeoutMs'>,
  connection: Pick<ConnectionSettings, 'searchPath'>,
): string | undefined {
  if (options.pooler !== 'pgbouncer-transaction') return undefined;
  return localSettingsSql({ statementTimeoutMs: options.statementTimeoutMs, searchPath: connection.searchPath });
}

export interface PoolerModeOptions {
  /** The database handle, for `behindTransactionPooler`. */
  owner: object;
  options: ResolvedOptions;
  driver: PgDriver;
  /** The primary's pool; undefined for the embedded server (never behind a pooler). */
  pool: pg.Pool | undefined;
  prepared: PreparedStatements | undefined;
}

/**
 * The primary's pooler mode: as configured, or detected once at `connect()` when `pooler`
 * is unset. On detection everything after runs as with `pooler: 'pgbouncer-transaction'`:
 * new connections send no startup settings, transactions carry them as SET LOCAL, and
 * named prepared statements are off unless `preparedStatements` was given.
 */
export class PoolerMode {
  readonly #deps: PoolerModeOptions;
  #report: PoolerReport;
  #detection: Promise<void> | undefined;

  constructor(deps: PoolerModeOptions) {
    this.#deps = deps;
    modes.set(deps.owner, this);
    const configured = deps.options.pooler;
    this.#report =
      configured === undefined ? { mode: 'none', source: 'default' } : { mode: configured, source: 'configured' };
  }

  report(): PoolerReport {
    return { ...this.#report };
  }

  /** Runs detection on the first `connect()` only (and never with `pooler` set or embedded). */
  detect(): Promise<void> {
    if (this.#deps.options.pooler !== undefined || this.#deps.pool === undefined) return Promise.resolve();
    this.#detection ??= this.#detect(this.#deps.pool);
    return this.#detection;
  }

  async #detect(pool: pg.Pool): Promise<void> {
    const { options } = this.#deps;
    let pooled: boolean;
    try {
      pooled = await detectTransactionPooler(pool, {
        poolMax: options.pool.max,
        secondClientTimeoutMs: Math.min(options.pool.connectionTimeoutMs, SECOND_CLIENT_TIMEOUT_MS),
      });
    } catch (error) {
      // connect() itself succeeded: a failed probe leaves the direct-connection behaviour.
      options.logger.warn({ err: describeError(error) }, 'could not check for a connection pooler; assuming none');
      return;
    }
    if (!pooled) return;
    this.#switch(pool);
    options.logger.info(
      { target: options.connection.target, preparedStatements: this.#deps.prepared?.enabled ?? false },
      "PgBouncer in transaction mode detected: session settings now travel inside each transaction (set pooler: 'pgbouncer-transaction' to skip detection)",
    );
  }

  #switch(pool: pg.Pool): void {
    const { options, driver, prepared } = this.#deps;
    dropStartupSettings(pool);
    driver.moveSettingsIntoTransactions(
      localSettingsSql({ statementTimeoutMs: options.statementTimeoutMs, searchPath: options.connection.searchPath }),
    );
    if (!options.preparedStatementsExplicit) prepared?.turnOff();
    this.#report = { mode: 'pgbouncer-transaction', source: 'detected' };
  }
}
