import type pg from 'pg';

type Callback<R extends object> = (error: Error | null, result: pg.QueryResult<R>) => void;

/**
 * An autocommit statement in a transaction of its own: `begin` (with its `set local`s:
 * one round trip), the statement (queued by `send`), `commit`, all queued on `client`
 * now. `callback` gets one outcome, once the COMMIT completed (so the caller's next
 * statement finds the connection idle, not in a failed transaction): a failed BEGIN
 * first; a failed SET LOCAL aborts the transaction, so the statement fails rather than
 * run without its settings; a failed COMMIT (a deferred constraint) is the statement's
 * failure. `committed` runs when the COMMIT completed, before `callback`.
 *
 * ```ts
 * sendInOwnTransaction(client, 'begin; set local statement_timeout = 5000', (done) => client.query(sql, values, done), callback, () => {})
 * ```
 */
export function sendInOwnTransaction<R extends object>(
  client: pg.ClientBase,
  begin: string,
  send: (callback: Callback<R>) => void,
  callback: Callback<R>,
  committed: () => void,
): void {
  let beginError: Error | null = null;
  let statementError: Error | null = null;
  let statementResult: pg.QueryResult<R> | undefined;
  client.query(begin, (error: Error | null) => {
    beginError = error;
  });
  try {
    send((error, result) => {
      statementError = error;
      statementResult = result;
    });
  } catch (thrown) {
    // A value pg cannot send: the transaction is empty; COMMIT still ends it.
    statementError = thrown instanceof Error ? thrown : new Error(String(thrown));
  }
  client.query('commit', (commitError: Error | null) => {
    committed();
    const error = beginError ?? statementError ?? commitError;
    if (error !== null || statementResult === undefined)
      callback(error ?? new Error('internal: a wrapped statement completed without a result'), undefined as never);
    else callback(null, statementResult);
  });
}
