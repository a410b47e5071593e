import { z } from 'zod';

import { TransactionError } from '../errors/application-errors.js';

export const ISOLATION_LEVELS = ['read committed', 'repeatable read', 'serializable'] as const;
export const ACCESS_MODES = ['read write', 'read only'] as const;

/**
 * The isolation levels `db.transaction(fn, { isolationLevel })` accepts; with `serializable`,
 * pass `retries` so serialization failures are retried.
 *
 * @example
 * ```ts
 * const isolationLevel: IsolationLevel = 'serializable'
 * await db.transaction(() => service.placeOrder(input), { isolationLevel, retries: 3 })
 * ```
 */
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number];
/**
 * `read write` or `read only`, for `db.transaction(fn, { accessMode })`.
 *
 * @example
 * ```ts
 * const accessMode: AccessMode = 'read only'
 * const total = await db.transaction(() => orders.count(), { accessMode, isolationLevel: 'repeatable read' })
 * ```
 */
export type AccessMode = (typeof ACCESS_MODES)[number];

/**
 * Options of `db.transaction(fn, options)`: isolation, access mode, a statement timeout, retries
 * on serialization failures and deadlocks, and an abort signal.
 *
 * @example
 * ```ts
 * const options: TransactionOptions = { isolationLevel: 'serializable', retries: 3, statementTimeoutMs: 2_000 }
 * const order = await db.transaction(() => service.placeOrder(input), options)
 * ```
 */
export interface TransactionOptions {
  /** Outermost only; a nested call may repeat the parent's level but not change it. @default the server's (read committed) */
  isolationLevel?: IsolationLevel | undefined;
  /** Outermost only; a nested call may repeat the parent's mode but not change it. */
  accessMode?: AccessMode | undefined;
  /** `statement_timeout` for this scope (SET LOCAL); a nested scope restores the outer value when it ends. */
  statementTimeoutMs?: number | undefined;
  /**
   * Outermost only: re-run the whole callback up to this many times after a
   * serialization failure (40001) or deadlock (40P01), with exponential backoff and jitter.
   * @default 0
   */
  retries?: number | undefined;
  /** Aborting rolls the scope back: its next statement fails and it never commits. */
  signal?: AbortSignal | undefined;
}

/** What a scope was opened with, to check what nested scopes ask for. */
export interface TransactionSettings {
  isolationLevel: IsolationLevel | undefined;
  accessMode: AccessMode | undefined;
}

const schema = z.strictObject({
  isolationLevel: z.enum(ISOLATION_LEVELS).optional(),
  accessMode: z.enum(ACCESS_MODES).optional(),
  statementTimeoutMs: z.number().int().positive({ error: 'expected an integer >= 1' }).optional(),
  retries: z.number().int().nonnegative({ error: 'expected an integer >= 0' }).optional(),
  signal: z.instanceof(AbortSignal, { error: 'expected an AbortSignal' }).optional(),
});

/** What no options (or `{}`) validate to; shared, so the common call allocates nothing. */
const NO_OPTIONS: TransactionOptions = Object.freeze({});

/** Validates options; a wrong one is a `TransactionError` naming it. */
export function parseTransactionOptions(options: unknown): TransactionOptions {
  // The common call passes nothing: zod's safeParse would cost more than the rest of
  // the transaction's bookkeeping.
  if (options === undefined || options === null) return NO_OPTIONS;
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const option = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
  throw new TransactionError(
    `Invalid transaction option "${option ?? '?'}": ${issue?.code === 'unrecognized_keys' ? 'unknown option' : (issue?.message ?? 'invalid')}`,
  );
}

/** A savepoint cannot change what the outer transaction was opened with: say so instead of ignoring it. */
export function assertNestable(options: TransactionOptions, parent: TransactionSettings): void {
  if (options.retries !== undefined && options.retries > 0) {
    throw new TransactionError(
      'Nested transactions cannot retry: only the outermost transaction re-runs its callback (set retries there)',
    );
  }
  for (const key of ['isolationLevel', 'accessMode'] as const) {
    const wanted = options[key];
    if (wanted !== undefined && wanted !== (parent[key] ?? defaultSetting(key))) {
      throw new TransactionError(
        `A nested transaction (savepoint) cannot change ${key} to "${wanted}": the outer transaction runs with "${parent[key] ?? defaultSetting(key)}"`,
      );
    }
  }
}

function defaultSetting(key: 'isolationLevel' | 'accessMode'): string {
  return key === 'isolationLevel' ? 'read committed' : 'read write';
}
