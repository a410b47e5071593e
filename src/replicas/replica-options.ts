import { z } from 'zod';

/**
 * Where one replica is: a `postgres://` URL, or the same fields as the primary's connection.
 *
 * @example
 * ```ts
 * const replicas: ReplicaOption[] = ['postgres://app@replica-1.internal/app', { name: 'replica-2', host: 'replica-2.internal' }]
 * createDatabase<DB>({ connectionString: 'postgres://app@primary.internal/app', replicas })
 * ```
 */
export type ReplicaOption = string | ReplicaConnectionOptions;

/**
 * One replica given by fields instead of a URL; unset fields are the driver's defaults.
 *
 * @example
 * ```ts
 * const replica: ReplicaConnectionOptions = { name: 'reporting', host: 'replica.internal', database: 'app', pool: { max: 4 } }
 * createDatabase<DB>({ connectionString: 'postgres://app@primary.internal/app', replicas: [replica] })
 * ```
 */
export interface ReplicaConnectionOptions {
  /** Shown in metrics, health and errors. @default `replicas[<index>]` */
  name?: string | undefined;
  connectionString?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  database?: string | undefined;
  user?: string | undefined;
  /** Never logged, never serialized. */
  password?: string | undefined;
  ssl?: boolean | { rejectUnauthorized?: boolean | undefined; ca?: string | undefined } | undefined;
  /** This replica's pool size. @default the primary's `pool.max` */
  pool?: { max?: number | undefined } | undefined;
}

/**
 * A usable replica, as `pickReplica` sees it.
 *
 * @example
 * ```ts
 * const leastLagging = (candidates: readonly ReplicaCandidate[]) => [...candidates].sort((a, b) => a.lagMs - b.lagMs)[0]
 * createDatabase<DB>({ replicas: ['postgres://replica-1/app', 'postgres://replica-2/app'], pickReplica: leastLagging })
 * ```
 */
export interface ReplicaCandidate {
  readonly name: string;
  /** Its position in `replicas`. */
  readonly index: number;
  /** Replay lag at the last probe (0 when caught up). */
  readonly lagMs: number;
  /** Round trip of the last probe. */
  readonly latencyMs: number;
}

/**
 * Chooses the replica for one read among the usable ones; undefined sends it to the primary.
 *
 * @example
 * ```ts
 * const fastest: PickReplica = (candidates) => [...candidates].sort((a, b) => a.latencyMs - b.latencyMs)[0]
 * createDatabase<DB>({ replicas: ['postgres://replica-1/app', 'postgres://replica-2/app'], pickReplica: fastest })
 * ```
 */
export type PickReplica = (candidates: readonly ReplicaCandidate[]) => ReplicaCandidate | undefined;

/**
 * The replica options of `createDatabase` (see docs/replicas.md).
 *
 * @example
 * ```ts
 * const routing: ReplicaRoutingOptions = { replicas: ['postgres://replica-1/app'], maxLagMs: 2_000, replicaFallback: 'error' }
 * createDatabase<DB>({ connectionString: 'postgres://primary/app', ...routing })
 * ```
 */
export interface ReplicaRoutingOptions {
  /**
   * Streaming replicas: reads outside a transaction go to a healthy one; writes,
   * transactions, raw SQL and non-SELECT statements go to the primary.
   * @default unset: every statement on the primary
   */
  replicas?: readonly ReplicaOption[] | undefined;
  /** Which usable replica serves a read. @default round robin */
  pickReplica?: PickReplica | undefined;
  /** A replica whose replay lags more than this is taken out until it catches up. @default 5000 */
  maxLagMs?: number | undefined;
  /**
   * How long a read in a consistency context waits for a replica to replay up to the
   * context's token before it goes to the primary. @default 0: go to the primary at once
   */
  maxWaitMs?: number | undefined;
  /** How often each replica is probed (recovery, lag, health). @default 1000 */
  replicaProbeIntervalMs?: number | undefined;
  /**
   * When no replica is usable: `'primary'` reads from the primary (fail-open), `'error'`
   * fails the read with `ConnectionError` (fail-closed, protects the primary). @default 'primary'
   */
  replicaFallback?: 'primary' | 'error' | undefined;
}

export const REPLICA_DEFAULTS = {
  maxLagMs: 5_000,
  maxWaitMs: 0,
  replicaProbeIntervalMs: 1_000,
  replicaFallback: 'primary',
} as const;

const integer = z.number({ error: 'expected a number' }).int({ error: 'expected an integer' });
const url = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// or postgresql:// URL');

const replicaObject = z
  .strictObject({
    name: z.string().min(1).optional(),
    connectionString: url.optional(),
    host: z.string().min(1).optional(),
    port: integer.min(1).max(65535, { error: 'expected a port between 1 and 65535' }).optional(),
    database: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    ssl: z
      .union([z.boolean(), z.strictObject({ rejectUnauthorized: z.boolean().optional(), ca: z.string().optional() })])
      .optional(),
    pool: z.strictObject({ max: integer.positive({ error: 'expected an integer >= 1' }).optional() }).optional(),
  })
  .refine(
    (value) =>
      value.connectionString === undefined ||
      [value.host, value.port, value.database, value.user, value.password].every((each) => each === undefined),
    { message: 'connectionString cannot be combined with host, port, database, user or password' },
  );

/** The zod fields of `ReplicaRoutingOptions`, merged into the options schema. */
export const replicaOptionFields = {
  replicas: z.array(z.union([url, replicaObject])).optional(),
  pickReplica: z
    .custom<PickReplica>((value) => typeof value === 'function', { message: 'expected a function' })
    .optional(),
  maxLagMs: integer.nonnegative({ error: 'expected an integer >= 0' }).optional(),
  maxWaitMs: integer.nonnegative({ error: 'expected an integer >= 0' }).optional(),
  replicaProbeIntervalMs: integer.min(10, { error: 'expected an integer >= 10' }).optional(),
  replicaFallback: z.enum(['primary', 'error']).optional(),
};

export interface ResolvedReplica<Settings> {
  readonly name: string;
  readonly index: number;
  readonly connection: Settings;
  readonly poolMax: number | undefined;
}

export interface ResolvedReplication<Settings> {
  readonly replicas: readonly ResolvedReplica<Settings>[];
  readonly pickReplica: PickReplica | undefined;
  readonly maxLagMs: number;
  readonly maxWaitMs: number;
  readonly probeIntervalMs: number;
  readonly fallback: 'primary' | 'error';
}

/** Validated replica options with defaults; undefined when no replica is configured. */
export function resolveReplication<Settings>(
  options: ReplicaRoutingOptions,
  settingsOf: (replica: Omit<ReplicaConnectionOptions, 'name' | 'pool'>) => Settings,
): ResolvedReplication<Settings> | undefined {
  if (options.replicas === undefined || options.replicas.length === 0) return undefined;
  return {
    replicas: options.replicas.map((replica, index) => {
      const { name, pool, ...connection } = typeof replica === 'string' ? { connectionString: replica } : replica;
      return { name: name ?? `replicas[${index}]`, index, connection: settingsOf(connection), poolMax: pool?.max };
    }),
    pickReplica: options.pickReplica,
    maxLagMs: options.maxLagMs ?? REPLICA_DEFAULTS.maxLagMs,
    maxWaitMs: options.maxWaitMs ?? REPLICA_DEFAULTS.maxWaitMs,
    probeIntervalMs: options.replicaProbeIntervalMs ?? REPLICA_DEFAULTS.replicaProbeIntervalMs,
    fallback: options.replicaFallback ?? REPLICA_DEFAULTS.replicaFallback,
  };
}
