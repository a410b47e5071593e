import type { PoolClient } from 'pg';

import type { PoolerOption } from '../config/options-schema.js';

/**
 * The pooler mode `db.health()` reports: what sits in front of PostgreSQL and how the
 * library knows. `source`: `configured` (the `pooler` option), `detected` (`connect()`
 * found PgBouncer in transaction mode), or `default` (`pooler` unset and nothing detected,
 * or `connect()` not called yet).
 *
 * @example
 * ```ts
 * const { pooler }: { pooler: PoolerReport } = await db.health()
 * if (pooler.mode === 'pgbouncer-transaction') logger.info({ source: pooler.source }, 'behind PgBouncer')
 * ```
 */
export interface PoolerReport {
  mode: PoolerOption;
  source: 'configured' | 'detected' | 'default';
}

/** The part of a pool detection uses (a `pg.Pool`). */
export interface DetectionSource {
  connect(): Promise<PoolClient>;
}

export interface DetectionOptions {
  /** The pool's `max`: the two-client check needs a second connection. */
  poolMax: number;
  /** How long to wait for the second connection before giving up (a full session-mode pool). */
  secondClientTimeoutMs: number;
}

const BACKEND_PID = 'select pg_backend_pid() as pid';

/**
 * Whether a transaction-mode pooler (PgBouncer `pool_mode = transaction`) sits in front of
 * the server, from what only such a pooler can cause:
 * - on one client, the backend pid changes between two autocommit statements (the pooler
 *   gave the second one another server connection); or
 * - two clients checked out at the same time report the SAME backend pid (one server
 *   connection shared between client sessions; with PgBouncer's default LIFO reuse of
 *   idle server connections this holds whenever it is not busy).
 * Neither can happen on a direct connection or behind a session-mode pooler. The second
 * client is time-boxed: behind a session-mode pooler with a full pool it would wait.
 * A busy transaction-mode pooler may go unnoticed (set `pooler` explicitly); a direct
 * connection is never reported as pooled.
 */
export async function detectTransactionPooler(source: DetectionSource, options: DetectionOptions): Promise<boolean> {
  const first = await source.connect();
  let broken = false;
  try {
    const pid = await backendPid(first);
    if ((await backendPid(first)) !== pid) return true;
    if (options.poolMax < 2) return false;
    return (await secondClientPid(source, options.secondClientTimeoutMs)) === pid;
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    first.release(broken ? true : undefined);
  }
}

async function backendPid(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ pid: number }>(BACKEND_PID);
  const pid = rows[0]?.pid;
  if (typeof pid !== 'number') throw new Error('pg_backend_pid() returned no pid');
  return pid;
}

/**
 * The backend pid of a second client, or undefined when it does not answer within
 * `timeoutMs` (or fails). Both steps are time-boxed: a session-mode PgBouncer with a full
 * pool completes the login and then holds the first query until a server frees up. A
 * client still busy at the deadline is destroyed, never returned to the pool.
 */
async function secondClientPid(source: DetectionSource, timeoutMs: number): Promise<number | undefined> {
  let client: PoolClient | undefined;
  let settled = false;
  let released = false;
  const release = (destroy: boolean): void => {
    if (client === undefined || released) return;
    released = true;
    client.release(destroy ? true : undefined);
  };
  const attempt = source.connect().then(async (granted) => {
    client = granted;
    if (settled) {
      release(true);
      return undefined;
    }
    const pid = await backendPid(granted);
    release(false);
    return pid;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, timeoutMs, undefined)));
  try {
    return await Promise.race([
      attempt.catch(() => {
        release(true);
        return undefined;
      }),
      timeout,
    ]);
  } finally {
    settled = true;
    clearTimeout(timer);
    // Still connecting or waiting for its answer: destroyed (a no-op once released).
    release(true);
  }
}
