import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import type pg from 'pg';
import type { PoolClient } from 'pg';

import { ConnectionError } from '../errors/connection-errors.js';
import { mapPostgresError } from '../errors/map-postgres-error.js';
import { preparedStatementFailure, preparedStatementsUnsupportedError } from '../errors/prepared-statement-failure.js';
import { QueryError } from '../errors/query-errors.js';
import { type ParsedStatements, queryAfterClosing } from './close-statements.js';
import { ControlPrefixes } from './control-prefixes.js';
import { cursorStream, type StreamConnection } from './cursor-stream.js';
import { DeferredControl } from './deferred-control.js';
import { sendInOwnTransaction } from './own-transaction.js';
import type { PreparedStatements, StatementCache } from './prepared-statements.js';
import type { QueryInstrumentation } from './query-instrumentation.js';
import { rowTextsOf, type StatementExtras, statementQuery } from './statement-query.js';
import { runsOutsideTransaction } from './transaction-local-settings.js';

const ROW_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

/** pg 8 reports the transaction status of the last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' failed). */
interface TransactionStatus {
  getTransactionStatus?: () => string | null;
}

/** After a named statement failed: send it once more, or surface this error. */
type NamedFailureOutcome = { retry: true } | { retry: false; surface: unknown };

/** How pg reports a statement's outcome when given a callback (no promise of its own). */
type QueryCallback<R extends object> = (error: Error | null, result: pg.QueryResult<R>) => void;

/**
 * One checked-out pg client. Every statement is timed, counted and has its error
 * mapped here and nowhere else. A connection that failed at the connection level
 * is marked broken so the pool destroys it instead of handing it out again.
 */
export class PgConnection implements DatabaseConnection {
  readonly #client: PoolClient;
  readonly #instrumentation: QueryInstrumentation;
  readonly #prepared: PreparedStatements | undefined;
  readonly #statements: StatementCache | undefined;
  #broken = false;
  #released = false;
  /**
   * pg-pool detaches its own 'error' listener while a client is checked out, so a
   * server connection that dies between statements (terminated backend, network
   * loss) would emit an unhandled 'error' and crash the host process. We listen for
   * as long as we hold the client; the failure surfaces on the next statement.
   */
  readonly #onClientError = (): void => {
    this.#broken = true;
  };

  /**
   * Behind PgBouncer in transaction mode with `statementTimeoutMs` or `searchPath`:
   * `begin; set local ...`, sent before each autocommit statement (which then runs in
   * its own short transaction, committed right after it) so it runs with the settings.
   */
  readonly #autocommitBegin: string | undefined;
  /**
   * Wrapped statements whose COMMIT has not completed. While there are any, a statement
   * queued now runs after that COMMIT, outside any transaction, whatever the last
   * ReadyForQuery said ('T' mid-wrapper): it is wrapped too.
   */
  #wrappersInFlight = 0;
  /** BEGIN / SAVEPOINT not sent yet (see `DeferredControl`); created by the first BEGIN. */
  #control: DeferredControl | undefined;
  /** From BEGIN until COMMIT or ROLLBACK is queued: statements are not autocommit, whatever pg last heard. */
  #inTransaction = false;
  /** What became of the deferred control once sent (a failure is sticky); created with `#control`, by the first BEGIN. */
  #prefixes: ControlPrefixes | undefined;

  constructor(
    client: PoolClient,
    instrumentation: QueryInstrumentation,
    prepared?: PreparedStatements,
    autocommitBegin?: string,
  ) {
    this.#client = client;
    this.#instrumentation = instrumentation;
    this.#prepared = prepared;
    this.#autocommitBegin = autocommitBegin;
    this.#statements = prepared?.cacheFor(client);
    client.on('error', this.#onClientError);
  }

  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Opens a transaction: a single-statement BEGIN is deferred to the first statement (see
   * `DeferredControl`); a BEGIN that carries `set local`s runs now.
   */
  begin(statement: CompiledQuery): Promise<void> {
    this.#inTransaction = true;
    this.#prefixes ??= new ControlPrefixes(
      (sql, started, rowCount, failed) =>
        this.#completed({ sql, parameters: NO_PARAMETERS }, started, rowCount, failed),
      () => (this.#broken = true),
    );
    this.#prefixes.reset();
    const control = (this.#control ??= new DeferredControl());
    if (statement.sql.includes(';')) {
      control.clear(); // savepoints are still deferred
      return this.executeCommand(statement, ignore);
    }
    control.begin(statement.sql);
    return RESOLVED;
  }

  savepoint(name: string, statement: CompiledQuery): Promise<void> {
    if (this.#control === undefined) return this.executeCommand(statement, ignore);
    this.#control.savepoint(name, statement.sql);
    return RESOLVED;
  }

  releaseSavepoint(name: string, statement: CompiledQuery): Promise<void> {
    if (this.#control?.release(name) === true) return RESOLVED;
    return this.executeCommand(statement, ignore);
  }

  rollbackToSavepoint(name: string, statement: CompiledQuery): Promise<void> {
    if (this.#control === undefined) return this.executeCommand(statement, ignore);
    this.#control.rollbackTo(name, statement.sql);
    return RESOLVED;
  }

  /**
   * COMMIT, or nothing when no statement ran (the BEGIN was never sent). A deferred
   * ROLLBACK TO goes with it, under its Sync: if it fails, so does the COMMIT.
   */
  commit(statement: CompiledQuery, read: (tag: string) => void): Promise<void> {
    this.#inTransaction = false;
    if (this.#prefixes?.error !== undefined) return rejected(this.#mapped(this.#prefixes.error));
    const control = this.#control;
    if (control?.beginPending === true) {
      control.clear();
      return RESOLVED;
    }
    return this.executeCommand(statement, read);
  }

  /** ROLLBACK, or nothing when no statement ran (or the BEGIN failed: there is no transaction). */
  rollback(statement: CompiledQuery): Promise<void> {
    this.#inTransaction = false;
    const untouched = this.#control?.beginPending === true;
    this.#control?.clear(); // ROLLBACK undoes whatever was deferred
    return untouched || this.#prefixes?.error !== undefined ? RESOLVED : this.executeCommand(statement, ignore);
  }

  // executeQuery, executeCommand and #run are not async functions, and pg is handed a
  // callback: one promise per statement (pg's promise form makes two, and a `.then` on
  // them a third). This runs for every statement, and each promise also pays for the
  // host's async hooks (AsyncLocalStorage).
  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.#run<R & object, QueryResult<R>>(compiledQuery, toQueryResult, false);
  }

  /**
   * Runs a transaction-control statement and returns its command tag, or what `read`
   * makes of it (it may throw to reject; run when the statement completes, no promise
   * more). The tag matters: PostgreSQL answers COMMIT of an aborted transaction with
   * ROLLBACK, not an error.
   */
  executeCommand(compiledQuery: CompiledQuery): Promise<string>;
  executeCommand<T>(compiledQuery: CompiledQuery, read: (tag: string) => T): Promise<T>;
  executeCommand(compiledQuery: CompiledQuery, read?: (tag: string) => unknown): Promise<unknown> {
    // What is deferred goes first, under the same Sync (a RELEASE after a deferred ROLLBACK TO).
    const deferred = this.#control?.take();
    return this.#run(compiledQuery, read === undefined ? commandTag : (result) => read(result.command), true, deferred);
  }

  /**
   * Queues the statement on the client now (synchronously: callers rely on that to order
   * statements), then instruments and maps its one final outcome. `shape` turns pg's
   * result into the caller's; it runs after instrumentation, as it always did. pg calls
   * back from inside its message handling, so nothing here may throw into pg.
   * `control`: transaction control, never wrapped in a transaction of its own.
   */
  #run<R extends object, T>(
    compiledQuery: CompiledQuery,
    shape: (result: pg.QueryResult<R>) => T,
    control: boolean,
    controlPrefix?: string[],
  ): Promise<T> {
    if (this.#prefixes?.error !== undefined) return rejected(this.#mapped(this.#prefixes.error));
    const started = performance.now();
    const named = compiledQuery.parameters.length > 0 && this.#prepared?.enabled === true;
    const wraps = this.#autocommitBegin !== undefined && !control;
    const prefix = control ? controlPrefix : this.#control?.take();
    // 'I': no transaction open, so this statement commits (or fails) on its own. Read
    // before the statement is queued, like the statement itself.
    const idle =
      (named || wraps) &&
      !this.#inTransaction &&
      (this.#wrappersInFlight > 0 || (this.#client as TransactionStatus).getTransactionStatus?.() === 'I');
    const wrapped = idle && wraps && !runsOutsideTransaction(compiledQuery.sql);
    const autocommit = named && idle;
    return new Promise<T>((resolve, reject) => {
      const failed = (error: unknown): void => {
        try {
          this.#completed(compiledQuery, started, null, true);
          reject(this.#mapped(error));
        } catch (thrown) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what was thrown, unchanged
          reject(thrown);
        }
      };
      const settle: QueryCallback<R> = (error, result) => {
        if (error) return failed(error);
        try {
          this.#completed(compiledQuery, started, result.rowCount ?? result.rows?.length ?? 0, false);
          resolve(shape(result));
        } catch (thrown) {
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what was thrown, unchanged
          reject(thrown);
        }
      };
      const first: QueryCallback<R> = !named
        ? settle
        : (error, result) => {
            if (!error) return settle(null, result);
            let next: NamedFailureOutcome;
            try {
              next = this.#afterNamedFailure(compiledQuery, autocommit, error);
            } catch (thrown) {
              return failed(thrown);
            }
            if (!next.retry) return failed(next.surface);
            // Queued once pg has moved on from the failed statement (as a `.then` did).
            queueMicrotask(() => {
              try {
                this.#retry<R>(compiledQuery, settle, wrapped);
              } catch (thrown) {
                failed(thrown);
              }
            });
          };
      try {
        if (wrapped) this.#sendWrapped<R>(compiledQuery, named, first);
        else this.#send<R>(compiledQuery, named, first, prefix, control);
      } catch (error) {
        // pg reports almost every failure through the callback; a rare synchronous throw
        // takes the same path.
        failed(error);
      }
    });
  }

  /**
   * A parameterised statement runs as a named prepared statement: the server parses and
   * plans it once per connection. When the name is to blame (a pooler that does not keep
   * statements, a plan made stale by ALTER TABLE), an autocommit statement is sent once
   * more (`retry`); it had not run (it failed at Parse or Bind). Inside a transaction
   * the failure has aborted the transaction, so it surfaces. Only the final outcome is
   * instrumented (by the caller).
   */
  #afterNamedFailure(compiledQuery: CompiledQuery, autocommit: boolean, error: unknown): NamedFailureOutcome {
    // A server error about the values leaves the cache right: a statement whose Parse
    // failed is not in pg's record, so its next use parses again.
    const failure = preparedStatementFailure(error);
    if (failure === undefined) return { retry: false, surface: error };
    // Closed with the next statement, which also drops pg's record of it: when pg cannot
    // encode a parameter value it closes the statement itself but still records it parsed.
    this.#statements!.invalidate(compiledQuery.sql);
    if (failure === 'unanswered') return { retry: false, surface: error };
    if (failure === 'unsupported') this.#prepared!.disable(error);
    if (!autocommit) return { retry: false, surface: failure === 'unsupported' ? this.#unsupported(error) : error };
    return { retry: true };
  }

  /** A wrapped statement's transaction ended with its COMMIT (queued right after it): it is wrapped again. */
  #retry<R extends object>(compiledQuery: CompiledQuery, callback: QueryCallback<R>, wrapped: boolean): void {
    if (wrapped) this.#sendWrapped<R>(compiledQuery, this.#prepared!.enabled, callback);
    else this.#send<R>(compiledQuery, this.#prepared!.enabled, callback);
  }

  #send<R extends object>(
    compiledQuery: CompiledQuery,
    named: boolean,
    callback: QueryCallback<R>,
    statements?: string[],
    control = false,
  ): void {
    const capture = rowTextsOf(compiledQuery);
    const { sql, parameters } = compiledQuery;
    if (statements === undefined) {
      const guard = this.#prefixes?.guardIfInFlight();
      const extras = capture === undefined && guard === undefined ? undefined : { capture, guard };
      if (named) this.#sendNamed<R>(compiledQuery, callback, extras);
      else if (extras === undefined) this.#client.query<R>(sql, [...parameters], callback);
      else this.#client.query(statementQuery(sql, [...parameters], undefined, callback, extras));
      return;
    }
    // Statements are deferred only after a BEGIN, which created the tracker.
    const prefixes = this.#prefixes!;
    const prefix = prefixes.create(statements);
    // The prefix shares the statement's Sync when it can: the extended protocol (the
    // simple one has no Sync to share; transaction control, one statement each, is sent in
    // the extended one for it), and a named statement already parsed here.
    const shares = (parameters.length > 0 || control) && (!named || this.#parsedHere(this.#statements!.nameFor(sql)));
    let extras: StatementExtras;
    if (shares) {
      extras = { capture, prefix, extended: control, guard: prefixes.guardIfInFlight() };
      callback = prefixes.reporting(prefix, callback);
    } else {
      prefixes.sendAlone(this.#client, prefix);
      extras = { capture, guard: prefixes.guard };
    }
    if (named) this.#sendNamed<R>(compiledQuery, callback, extras);
    else this.#client.query(statementQuery(sql, [...parameters], undefined, callback, extras));
  }

  /** Whether pg has parsed the named statement on this connection (pg 8's record, as `queryAfterClosing` reads it). */
  #parsedHere(name: string): boolean {
    const { connection } = this.#client as unknown as { connection: ParsedStatements };
    return connection.parsedStatements[name] !== undefined;
  }

  /** An autocommit statement in a transaction of its own, with the settings (see `sendInOwnTransaction`). */
  #sendWrapped<R extends object>(compiledQuery: CompiledQuery, named: boolean, callback: QueryCallback<R>): void {
    this.#wrappersInFlight++;
    sendInOwnTransaction<R>(
      this.#client,
      this.#autocommitBegin!,
      (done) => this.#send<R>(compiledQuery, named, done),
      callback,
      () => this.#wrappersInFlight--,
    );
  }

  /** Queues the named statement on the client now (synchronously), closing evicted ones in the same round trip. */
  #sendNamed<R extends object>(
    compiledQuery: CompiledQuery,
    callback: QueryCallback<R>,
    extras: StatementExtras | undefined,
  ): void {
    const statements = this.#statements!;
    const { sql, parameters } = compiledQuery;
    const query = statementQuery<R>(sql, [...parameters], statements.nameFor(sql), callback, extras);
    const toClose = statements.takeToClose();
    if (toClose === undefined) this.#client.query(query);
    else queryAfterClosing(this.#client, toClose, query);
  }

  #unsupported(error: unknown): Error {
    const mapped = this.#mapped(error);
    return mapped instanceof QueryError ? preparedStatementsUnsupportedError(mapped) : mapped;
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    return cursorStream<R>(this.#asStreamConnection(), compiledQuery, chunkSize);
  }

  #asStreamConnection(): StreamConnection {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the stream reads this connection's live state
    const self = this;
    return {
      client: this.#client,
      get broken() {
        return self.#broken;
      },
      markBroken: () => this.markBroken(),
      autocommitBegin: () =>
        this.#autocommitBegin !== undefined &&
        !this.#inTransaction &&
        (this.#client as TransactionStatus).getTransactionStatus?.() === 'I'
          ? this.#autocommitBegin
          : undefined,
      takeDeferred: () => this.#control?.take(),
      prefixes: this.#prefixes,
      mapped: (error) => this.#mapped(error),
      completed: (query, started, rowCount, failed) => this.#completed(query, started, rowCount, failed),
    };
  }

  /** Forces the pool to destroy this connection on release (state unknown after a failure). */
  markBroken(): void {
    this.#broken = true;
  }

  /** Returns the client to the pool once; a broken one is destroyed. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#control?.clear();
    // pg-pool re-attaches its idle listener inside release(), in the same tick.
    this.#client.removeListener('error', this.#onClientError);
    this.#client.release(this.#broken ? true : undefined);
  }

  #completed(
    query: Pick<CompiledQuery, 'sql' | 'parameters'>,
    started: number,
    rowCount: number | null,
    failed: boolean,
  ): void {
    this.#instrumentation.statementCompleted({
      sql: query.sql,
      parameters: query.parameters,
      durationMs: performance.now() - started,
      rowCount,
      failed,
    });
  }

  #mapped(error: unknown): Error {
    const mapped = mapPostgresError(error, { keepValues: this.#instrumentation.keepsValues });
    if (mapped instanceof ConnectionError) this.#broken = true;
    return mapped;
  }
}

function toQueryResult<R>(result: pg.QueryResult<R & object>): QueryResult<R> {
  return {
    rows: result.rows ?? [],
    numAffectedRows: ROW_COMMANDS.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
  };
}

function commandTag(result: pg.QueryResult): string {
  return result.command;
}

const NO_PARAMETERS: readonly unknown[] = Object.freeze([]);

/** One settled promise for control that sends nothing: awaiting it never changes it. */
const RESOLVED = Promise.resolve();

function ignore(): void {}

/** A rejected promise, for the paths that are not async functions but must not throw synchronously. */
function rejected<T>(error: unknown): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what was given, unchanged
  return Promise.reject(error);
}
