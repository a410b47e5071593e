import { CompiledQuery } from 'kysely';
import type pg from 'pg';

import { type PoolSnapshot, poolSnapshot } from '../connection/create-pool.js';
import { type PgDriver } from '../driver/pg-driver.js';
import { mapPostgresError } from '../errors/map-postgres-error.js';
import { parseLsn } from './lsn.js';

/**
 * The state of one replica: only `up` replicas serve reads.
 *
 * - `unknown`: not probed yet; `up`: in use; `lagging`: replay is behind `maxLagMs`;
 * - `down`: a probe or a read failed (readmitted by the next good probe);
 * - `not-replica`: the server is not in recovery (a primary, or a promoted replica).
 *
 * @example
 * ```ts
 * const out: ReplicaState[] = ['lagging', 'down', 'not-replica']
 * const unusable = (db.metrics().replicas ?? []).filter((replica) => out.includes(replica.state))
 * ```
 */
export type ReplicaState = 'unknown' | 'up' | 'lagging' | 'down' | 'not-replica';

/**
 * One replica in `db.metrics()` and `db.health()`.
 *
 * @example
 * ```ts
 * for (const replica of db.metrics().replicas ?? []) {
 *   const report: ReplicaReport = replica
 *   logger.info({ replica: report.name, state: report.state, lagMs: report.lagMs }, 'replica')
 * }
 * ```
 */
export interface ReplicaReport {
  name: string;
  /** Where it is, without secrets. */
  target: string;
  state: ReplicaState;
  /** Replay lag at the last good probe (0 when caught up with what it received). */
  lagMs: number | undefined;
  /** How far its replay is behind the primary's WAL, at the last probe. */
  behindBytes: number | undefined;
  /** Round trip of the last probe. */
  latencyMs: number | undefined;
  /** Reads served since start. */
  reads: number;
  /** Probes and reads that failed since start. */
  failures: number;
  pool: PoolSnapshot;
  /** Why it is `down` or `not-replica`. */
  error?: { code: string; message: string };
}

export interface ProbeResult {
  inRecovery: boolean;
  replayLsn: bigint | undefined;
  lagMs: number;
}

const PROBE = CompiledQuery.raw(`select pg_is_in_recovery() as in_recovery,
  pg_last_wal_replay_lsn()::text as replay_lsn,
  case when pg_last_wal_receive_lsn() is null or pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0
    else coalesce(extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000, 0)::float8 end as lag_ms`);
const REPLAY_LSN = CompiledQuery.raw('select pg_last_wal_replay_lsn()::text as replay_lsn');

/** One replica: its pool (behind the same instrumented driver as the primary), state and last probe. */
export class ReplicaNode {
  readonly name: string;
  readonly index: number;
  readonly target: string;
  readonly driver: PgDriver;
  readonly #pool: pg.Pool;
  readonly #poolMax: number;
  state: ReplicaState = 'unknown';
  replayLsn: bigint | undefined;
  lagMs: number | undefined;
  behindBytes: number | undefined;
  latencyMs: number | undefined;
  reads = 0;
  failures = 0;
  error: { code: string; message: string } | undefined;

  constructor(options: {
    name: string;
    index: number;
    target: string;
    pool: pg.Pool;
    poolMax: number;
    driver: PgDriver;
  }) {
    this.name = options.name;
    this.index = options.index;
    this.target = options.target;
    this.#pool = options.pool;
    this.#poolMax = options.poolMax;
    this.driver = options.driver;
  }

  /** One round trip: recovery, replay position and lag. Throws a typed error. */
  async probe(): Promise<ProbeResult> {
    const started = performance.now();
    const rows = await this.#query<{ in_recovery: boolean; replay_lsn: string | null; lag_ms: number }>(PROBE);
    this.latencyMs = Math.round((performance.now() - started) * 1000) / 1000;
    const row = rows[0]!;
    return {
      inRecovery: row.in_recovery,
      replayLsn: row.replay_lsn === null ? undefined : parseLsn(row.replay_lsn),
      lagMs: Math.round(row.lag_ms),
    };
  }

  /** Reads the replay position now (for a read that needs a newer one than the last probe saw). */
  async refreshReplayLsn(): Promise<bigint | undefined> {
    const rows = await this.#query<{ replay_lsn: string | null }>(REPLAY_LSN);
    const text = rows[0]?.replay_lsn;
    if (text) this.replayLsn = parseLsn(text);
    return this.replayLsn;
  }

  /** Takes the replica out after a failed probe or read; the next good probe readmits it. */
  markDown(error: unknown): void {
    const mapped = mapPostgresError(error);
    this.state = 'down';
    this.failures += 1;
    this.error = { code: mapped.code, message: mapped.message };
  }

  report(): ReplicaReport {
    const report: ReplicaReport = {
      name: this.name,
      target: this.target,
      state: this.state,
      lagMs: this.lagMs,
      behindBytes: this.behindBytes,
      latencyMs: this.latencyMs,
      reads: this.reads,
      failures: this.failures,
      pool: poolSnapshot(this.#pool, this.#poolMax),
    };
    if (this.error !== undefined && (this.state === 'down' || this.state === 'not-replica')) report.error = this.error;
    return report;
  }

  end(): Promise<void> {
    return this.#pool.end();
  }

  async settle(): Promise<void> {
    await this.driver.settleAcquisitions();
  }

  async #query<R>(query: CompiledQuery): Promise<R[]> {
    const connection = await this.driver.acquireConnection();
    try {
      return (await connection.executeQuery<R>(query)).rows;
    } finally {
      await this.driver.releaseConnection(connection);
    }
  }
}
