import { CompiledQuery } from 'kysely';

import type { ConnectionSettings, ResolvedOptions } from '../config/resolve-options.js';
import { createPool } from '../connection/create-pool.js';
import { configuredLocalSettings } from '../connection/pooler-mode.js';
import type { PgConnection } from '../driver/pg-connection.js';
import { PgDriver } from '../driver/pg-driver.js';
import type { QueryInstrumentation } from '../driver/query-instrumentation.js';
import { ConfigError } from '../errors/application-errors.js';
import { ConnectionError } from '../errors/connection-errors.js';
import { describeError } from '../logging/describe-error.js';
import { parseLsn } from './lsn.js';
import { ReplicaNode, type ReplicaReport } from './replica-node.js';
import type { ReplicaCandidate, ResolvedReplication } from './replica-options.js';
import { recordCommit, requiredLsn, tracksCommits } from './routing-context.js';

export interface ReplicaSetOptions {
  replication: ResolvedReplication<ConnectionSettings>;
  /** The primary's resolved options: replicas inherit pool settings, timeouts and the logger. */
  base: ResolvedOptions;
  instrumentation: QueryInstrumentation;
  primary: PgDriver;
  /** The database the routing contexts belong to. */
  owner: object;
  isClosed: () => boolean;
}

const INSERT_LSN = CompiledQuery.raw('select pg_current_wal_insert_lsn()::text as lsn');
const CURRENT_LSN = CompiledQuery.raw('select pg_current_wal_lsn()::text as lsn');
/** Reads after a commit whose position could not be read must not use a replica at all. */
const UNKNOWN_COMMIT = (1n << 64n) - 1n;

/**
 * The replicas of one database: their pools, the probes that keep each one's state
 * (circuit breaker: out when a probe or a read fails or replay lags beyond `maxLagMs`,
 * back after a good probe), and the choice of replica for each read.
 */
export class ReplicaSet {
  readonly nodes: readonly ReplicaNode[];
  readonly fallback: 'primary' | 'error';
  readonly #options: ReplicaSetOptions;
  readonly #replication: ResolvedReplication<ConnectionSettings>;
  #started: Promise<void> | undefined;
  #probing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #next = 0;

  constructor(options: ReplicaSetOptions) {
    this.#options = options;
    this.#replication = options.replication;
    this.fallback = options.replication.fallback;
    this.nodes = options.replication.replicas.map((replica) => {
      const poolMax = replica.poolMax ?? options.base.pool.max;
      const pool = createPool({
        ...options.base,
        connection: replica.connection,
        pool: { ...options.base.pool, max: poolMax, min: Math.min(options.base.pool.min, poolMax) },
      });
      const driver = new PgDriver({
        pool,
        instrumentation: options.instrumentation,
        connectionTimeoutMs: options.base.pool.connectionTimeoutMs,
        isClosed: options.isClosed,
        // A replica behind PgBouncer gets the primary's treatment when `pooler` is configured.
        localSettings: configuredLocalSettings(options.base, replica.connection),
      });
      return new ReplicaNode({
        name: replica.name,
        index: replica.index,
        target: replica.connection.target,
        pool,
        poolMax,
        driver,
      });
    });
  }

  /** Probes every replica once, then on the interval. Idempotent; the first read awaits it. */
  start(): Promise<void> {
    this.#started ??= this.probeAll().then(() => {
      if (this.#options.isClosed()) return;
      this.#timer = setInterval(() => void this.probeAll(), this.#replication.probeIntervalMs);
      this.#timer.unref();
    });
    return this.#started;
  }

  /**
   * At `connect()`: a replica that is not in recovery is a configuration error (reads
   * would go to another primary); one that does not answer is logged and left out
   * until a probe reaches it.
   */
  async connect(): Promise<void> {
    await this.start();
    for (const node of this.nodes) {
      if (node.state === 'not-replica') {
        throw new ConfigError(
          `Replica ${node.name} (${node.target}) is not a replica: pg_is_in_recovery() is false on that server`,
          { option: `replicas.${node.index}` },
        );
      }
      if (node.state === 'down') {
        this.#options.base.logger.warn(
          { replica: node.name, target: node.target, error: node.error },
          'replica unreachable at connect(); reads use the other replicas or the primary until it answers',
        );
      }
    }
  }

  /** One probe round (joins a running one). Never throws. */
  probeAll(): Promise<void> {
    this.#probing ??= this.#probeRound().finally(() => (this.#probing = undefined));
    return this.#probing;
  }

  /**
   * The replica for a read outside a transaction, or undefined for the primary: only
   * `up` replicas that have replayed the context's consistency token qualify.
   * @throws ConnectionError when none is up and `replicaFallback` is `'error'`.
   */
  async pick(): Promise<ReplicaNode | undefined> {
    // A closed database fails on the primary's guard, with DatabaseClosedError.
    if (this.#options.isClosed()) return undefined;
    await this.start();
    const up = this.nodes.filter((node) => node.state === 'up');
    if (up.length === 0) {
      if (this.fallback === 'error') {
        const states = this.nodes.map((node) => `${node.name}: ${node.state}`).join(', ');
        throw new ConnectionError(`No usable replica for a read (replicaFallback: 'error'; ${states})`);
      }
      return undefined;
    }
    const required = requiredLsn(this.#options.owner);
    const candidates = required === undefined ? up : await this.#caughtUp(up, required);
    if (candidates.length === 0) return undefined;
    const { pickReplica } = this.#replication;
    if (pickReplica === undefined) return candidates[this.#next++ % candidates.length];
    const chosen = pickReplica(candidates.map(candidateOf));
    return chosen === undefined ? undefined : candidates.find((node) => node.index === chosen.index);
  }

  /** Whether commits made now are recorded (a consistency context is open). */
  tracksCommits(): boolean {
    return tracksCommits(this.#options.owner);
  }

  /**
   * Records where the primary's WAL stands after a commit (ours is before it) in the
   * consistency context, on `connection` when one is held, else on a pooled one.
   */
  async recordCommit(connection?: PgConnection): Promise<void> {
    const owner = this.#options.owner;
    try {
      const rows = connection
        ? (await connection.executeQuery<{ lsn: string }>(INSERT_LSN)).rows
        : await this.#onPrimary<{ lsn: string }>(INSERT_LSN);
      recordCommit(owner, parseLsn(rows[0]!.lsn));
    } catch (error) {
      // The commit happened; without its position the context reads from the primary.
      recordCommit(owner, UNKNOWN_COMMIT);
      this.#options.base.logger.warn(
        { err: describeError(error) },
        'could not read the WAL position after a commit; reads of this context use the primary',
      );
    }
  }

  async health(timeoutMs: number): Promise<ReplicaReport[]> {
    await Promise.race([this.probeAll(), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    return this.metrics();
  }

  metrics(): ReplicaReport[] {
    return this.nodes.map((node) => node.report());
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#probing;
    await Promise.all(this.nodes.map((node) => node.settle()));
    await Promise.all(this.nodes.map((node) => node.end()));
  }

  async #probeRound(): Promise<void> {
    if (this.#options.isClosed()) return;
    const primaryLsn = this.#onPrimary<{ lsn: string }>(CURRENT_LSN).then(
      (rows) => parseLsn(rows[0]!.lsn),
      () => undefined,
    );
    const timeoutMs = Math.max(1_000, this.#replication.probeIntervalMs);
    await Promise.all(
      this.nodes.map(async (node) => {
        const before = node.state;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ConnectionError(`Replica probe timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        try {
          const result = await Promise.race([node.probe(), timeout]);
          node.replayLsn = result.replayLsn;
          node.lagMs = result.lagMs;
          const primary = await primaryLsn;
          node.behindBytes =
            primary !== undefined && result.replayLsn !== undefined
              ? Number(primary > result.replayLsn ? primary - result.replayLsn : 0n)
              : undefined;
          if (!result.inRecovery) {
            node.state = 'not-replica';
            node.error = { code: 'NOT_A_REPLICA', message: 'pg_is_in_recovery() is false: the server is a primary' };
          } else node.state = result.lagMs > this.#replication.maxLagMs ? 'lagging' : 'up';
        } catch (error) {
          node.markDown(error);
        } finally {
          clearTimeout(timer);
        }
        if (node.state !== before && before !== 'unknown') {
          this.#options.base.logger.warn(
            { replica: node.name, target: node.target, from: before, to: node.state, lagMs: node.lagMs },
            'replica state changed',
          );
        }
      }),
    );
  }

  async #onPrimary<R>(query: CompiledQuery): Promise<R[]> {
    const { primary } = this.#options;
    const connection = await primary.acquireConnection();
    try {
      return (await connection.executeQuery<R>(query)).rows;
    } finally {
      await primary.releaseConnection(connection);
    }
  }

  /**
   * The replicas that have replayed `required`: by the last probe, else asked again,
   * polling until `maxWaitMs` has passed.
   */
  async #caughtUp(up: readonly ReplicaNode[], required: bigint): Promise<ReplicaNode[]> {
    const reached = () => up.filter((node) => node.replayLsn !== undefined && node.replayLsn >= required);
    const deadline = Date.now() + this.#replication.maxWaitMs;
    for (;;) {
      const already = reached();
      if (already.length > 0 || required === UNKNOWN_COMMIT) return already;
      await Promise.allSettled(up.map((node) => node.refreshReplayLsn()));
      const now = reached();
      const remaining = deadline - Date.now();
      if (now.length > 0 || remaining <= 0) return now;
      await new Promise((resolve) => setTimeout(resolve, Math.min(20, remaining)));
    }
  }
}

function candidateOf(node: ReplicaNode): ReplicaCandidate {
  return Object.freeze({ name: node.name, index: node.index, lagMs: node.lagMs ?? 0, latencyMs: node.latencyMs ?? 0 });
}
