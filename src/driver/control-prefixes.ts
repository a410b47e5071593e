import type pg from 'pg';

import { type ControlPrefix, statementQuery } from './statement-query.js';

/** How a deferred control statement is reported, as if it had been sent on its own. */
type Report = (sql: string, started: number, rowCount: number | null, failed: boolean) => void;

type Callback<R extends object> = (error: Error | null, result: pg.QueryResult<R>) => void;

/**
 * The outcome of one connection's deferred transaction control (`DeferredControl`) once
 * it is sent as a `ControlPrefix`: a failure is sticky (every later statement and the
 * COMMIT fail with it, and `onFailure` marks the connection for destruction), and while a
 * prefix is unanswered the statements queued behind it are guarded (they run only if it
 * succeeded).
 *
 * ```ts
 * const prefixes = new ControlPrefixes(report, () => markBroken())
 * const prefix = prefixes.create(['begin'])
 * client.query(statementQuery(sql, values, name, prefixes.reporting(prefix, callback), { prefix }))
 * ```
 */
export class ControlPrefixes {
  #error: unknown;
  #inFlight = 0;
  /** The sticky failure, for a guarded statement: pg fails it with this, sending nothing. */
  readonly guard = (): Error | undefined => this.#error as Error | undefined;

  constructor(
    private readonly report: Report,
    private readonly onFailure: () => void,
  ) {}

  /** A deferred BEGIN or SAVEPOINT failed (or may have): undefined while none did. */
  get error(): unknown {
    return this.#error;
  }

  /** A new transaction starts with no failure. */
  reset(): void {
    this.#error = undefined;
  }

  /** `guard` while some prefix is unanswered, else undefined (nothing to wait for). */
  guardIfInFlight(): (() => Error | undefined) | undefined {
    return this.#inFlight > 0 ? this.guard : undefined;
  }

  create(statements: string[]): ControlPrefix {
    return {
      statements,
      completed: 0,
      failed: (error) => {
        // Whether the transaction began is unknown: nothing more runs on this connection.
        this.#error = error;
        this.onFailure();
      },
    };
  }

  /** `callback`, reporting the prefix's statements first; the prefix counts as in flight until then. */
  reporting<R extends object>(prefix: ControlPrefix, callback: Callback<R>): Callback<R> {
    const started = performance.now();
    this.#inFlight++;
    let reported = false;
    return (error, result) => {
      // pg may call back twice (a value it could not send: the error, then ReadyForQuery).
      if (reported) return callback(error, result);
      reported = true;
      this.#inFlight--;
      prefix.statements.forEach((statement, index) => {
        if (index > prefix.completed) return;
        const failed = index === prefix.completed;
        if (failed && this.#error === undefined) return; // the statement failed, not the prefix
        this.report(statement, started, failed ? null : 0, failed);
      });
      callback(error, result);
    };
  }

  /** The prefix as a simple query of its own, queued on `client` now; what is queued after it must be guarded. */
  sendAlone(client: pg.ClientBase, prefix: ControlPrefix): void {
    const started = performance.now();
    const guard = this.guardIfInFlight();
    this.#inFlight++;
    let settled = false;
    const settle = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      this.#inFlight--;
      if (error) prefix.failed(error);
      for (const statement of prefix.statements) this.report(statement, started, error ? null : 0, error !== null);
    };
    client.query(statementQuery(prefix.statements.join('; '), [], undefined, settle, guard && { guard }));
  }
}
