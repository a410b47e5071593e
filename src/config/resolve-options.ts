import type { z } from 'zod';

import type { SlowQueryHook } from '../driver/slow-query-event.js';
import { type EmbeddedOptions, resolveEmbedded } from '../embedded/embedded-options.js';
import { ConfigError } from '../errors/application-errors.js';
import { optionError } from '../errors/option-error.js';
import { type Logger, redactConnectionString, resolveLogger } from '../logging/logger.js';
import type { RepositoryMiddleware } from '../middleware/repository-middleware.js';
import { type ResolvedReplication, resolveReplication } from '../replicas/replica-options.js';
import { definedFields } from './defined-fields.js';
import {
  type DatabaseOptions,
  databaseOptionsSchema,
  DEFAULTS,
  type MigrationsOption,
  type PoolerOption,
  type TlsOptions,
} from './options-schema.js';

/** Options after validation and defaults. Secrets are non-enumerable properties. */
export interface ResolvedOptions {
  readonly connection: ConnectionSettings;
  readonly pool: Required<NonNullable<DatabaseOptions['pool']>>;
  readonly retry: Required<NonNullable<DatabaseOptions['retry']>>;
  readonly statementTimeoutMs: number | undefined;
  readonly slowQueryThresholdMs: number;
  readonly onSlowQuery: SlowQueryHook | undefined;
  readonly logger: Logger;
  readonly logParameters: boolean;
  readonly strictTransactions: boolean;
  /** Named prepared statements per connection, or false for unnamed ones. */
  readonly preparedStatements: { readonly max: number } | false;
  /** Whether the user set `preparedStatements` (it then wins over the pooler's default). */
  readonly preparedStatementsExplicit: boolean;
  /** `pooler` as given; undefined means detect at `connect()`. */
  readonly pooler: PoolerOption | undefined;
  readonly middleware: readonly RepositoryMiddleware[];
  /** Cursor signing keys (non-enumerable, like the password); undefined when unset. */
  readonly cursorSecret?: string | readonly string[];
  /** Set when `embedded` is on: the server to start instead of connecting elsewhere. */
  readonly embedded: EmbeddedOptions | undefined;
  /** Where the migrations are, for `health()`'s migration report. */
  readonly migrations: MigrationsOption | undefined;
  /** Set when `replicas` are configured: where reads may go and how they are routed. */
  readonly replication: ResolvedReplication<ConnectionSettings> | undefined;
}

export interface ConnectionSettings {
  readonly connectionString?: string;
  readonly host?: string;
  readonly port?: number;
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  readonly ssl?: boolean | TlsOptions;
  readonly searchPath?: readonly string[];
  readonly applicationName: string;
  /** Where we connect, without secrets: safe for logs. */
  readonly target: string;
}

/** Validates options with zod; the first problem becomes a `ConfigError` naming the option. */
export function resolveOptions(input: unknown): ResolvedOptions {
  const parsed = databaseOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) throw configErrorFrom(parsed.error);
  const options = parsed.data;
  const resolved: ResolvedOptions = {
    connection: connectionSettings(options),
    pool: { ...DEFAULTS.pool, ...definedFields(options.pool) },
    retry: { ...DEFAULTS.retry, ...definedFields(options.retry) },
    statementTimeoutMs: options.statementTimeoutMs,
    slowQueryThresholdMs: options.slowQueryThresholdMs ?? DEFAULTS.slowQueryThresholdMs,
    onSlowQuery: options.onSlowQuery,
    logger: resolveLogger(options.logger),
    logParameters: options.logParameters ?? DEFAULTS.logParameters,
    strictTransactions: options.strictTransactions ?? DEFAULTS.strictTransactions,
    // Behind PgBouncer in transaction mode (< 1.21 does not keep them) named statements
    // are off unless asked for.
    preparedStatements:
      options.pooler === 'pgbouncer-transaction' && options.preparedStatements === undefined
        ? false
        : resolvePreparedStatements(options.preparedStatements),
    preparedStatementsExplicit: options.preparedStatements !== undefined,
    pooler: options.pooler,
    middleware: options.middleware ?? [],
    embedded: resolveEmbedded(options.embedded),
    migrations: options.migrations,
    // A replica inherits the primary's application name and search path.
    replication: resolveReplication(options, (replica) =>
      connectionSettings({ ...replica, applicationName: options.applicationName, searchPath: options.searchPath }),
    ),
  };
  if (options.cursorSecret !== undefined)
    Object.defineProperty(resolved, 'cursorSecret', { value: options.cursorSecret, enumerable: false });
  return resolved;
}

function resolvePreparedStatements(option: DatabaseOptions['preparedStatements']): { max: number } | false {
  if (option === false) return false;
  if (option === undefined || option === true) return { ...DEFAULTS.preparedStatements };
  return { ...DEFAULTS.preparedStatements, ...definedFields(option) };
}

function connectionSettings(options: DatabaseOptions): ConnectionSettings {
  const settings: Record<string, unknown> = {
    host: options.host,
    port: options.port,
    database: options.database,
    user: options.user,
    searchPath: typeof options.searchPath === 'string' ? [options.searchPath] : options.searchPath,
    applicationName: options.applicationName ?? DEFAULTS.applicationName,
    target: options.embedded
      ? `embedded PostgreSQL (${typeof options.embedded === 'object' && options.embedded.dataDir ? options.embedded.dataDir : 'temporary data'})`
      : options.connectionString
        ? redactConnectionString(options.connectionString)
        : `postgres://${options.user ?? '(default user)'}@${options.host ?? 'localhost'}:${options.port ?? 5432}/${options.database ?? '(default database)'}`,
  };
  // Like pg-pool: secrets (and TLS settings, which may hold a private key) stay off
  // enumerable keys so logs, JSON and inspect never show them.
  for (const secret of ['password', 'connectionString', 'ssl'] as const) {
    if (options[secret] !== undefined) {
      Object.defineProperty(settings, secret, { value: options[secret], enumerable: false });
    }
  }
  return settings as unknown as ConnectionSettings;
}

function configErrorFrom(error: z.ZodError): ConfigError {
  const first = error.issues[0];
  if (first === undefined) return new ConfigError('Invalid database options');
  const issue = innermostIssue(first);
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    const option = `${prefix}${issue.keys[0] ?? ''}`;
    return new ConfigError(`Unknown option "${option}"`, { option });
  }
  const option = issue.path.map(String).join('.') || '(options)';
  return optionError(option, describeIssue(issue));
}

/**
 * A union where exactly one branch accepted the value's type (`{ max: 0 }` for
 * `boolean | { max }`) failed inside that branch: report that issue, at its own path
 * (`preparedStatements.max`), rather than "none of the branches matched".
 */
function innermostIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  const typed = issue.errors.filter((branch) => branch[0] !== undefined && !isTypeMismatch(branch[0]));
  const inner = typed.length === 1 ? typed[0]![0] : undefined;
  if (inner === undefined) return issue;
  return innermostIssue({ ...inner, path: [...issue.path, ...inner.path] });
}

function isTypeMismatch(issue: z.core.$ZodIssue): boolean {
  return issue.path.length === 0 && issue.code === 'invalid_type';
}

/** zod reports a failed union as "Invalid input"; name what each branch expected instead. */
function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue.message;
  const branches = issue.errors.map((branch) => branch[0]?.message.replace(/^Invalid input: /, '') ?? 'another value');
  return `Invalid input: ${[...new Set(branches)].join(', or ')}`;
}
