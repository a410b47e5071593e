import type { CompiledQuery, QueryResult } from 'kysely';
import type { PoolClient } from 'pg';
import Cursor from 'pg-cursor';

import { ValidationError } from '../errors/application-errors.js';
import type { ControlPrefixes } from './control-prefixes.js';

/** What a stream needs of its connection (`PgConnection`). */
export interface StreamConnection {
  readonly client: PoolClient;
  readonly broken: boolean;
  markBroken(): void;
  /** `begin; set local ...` when an autocommit stream must run in a transaction of its own (PgBouncer with transaction-local settings). */
  readonly autocommitBegin: () => string | undefined;
  /** The deferred transaction control, taken for the stream to send (see `DeferredControl`). */
  takeDeferred(): string[] | undefined;
  /** Undefined until a BEGIN (nothing was ever deferred). */
  readonly prefixes: ControlPrefixes | undefined;
  mapped(error: unknown): Error;
  completed(query: CompiledQuery, started: number, rowCount: number | null, failed: boolean): void;
}

/**
 * The statement's rows through a server-side cursor (pg-cursor), `chunkSize` at a time;
 * instrumented once, when the stream ends (or the consumer stops early).
 */
export async function* cursorStream<R>(
  connection: StreamConnection,
  compiledQuery: CompiledQuery,
  chunkSize: number,
): AsyncIterableIterator<QueryResult<R>> {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new ValidationError('Invalid chunkSize: expected an integer >= 1', [
      { path: ['chunkSize'], message: 'expected an integer >= 1', code: 'invalid_value' },
    ]);
  }
  const { client, prefixes } = connection;
  const started = performance.now();
  let cursor: Cursor<R> | undefined;
  let rowCount = 0;
  let failed = false;
  if (prefixes?.error !== undefined) throw connection.mapped(prefixes.error);
  // Behind PgBouncer with transaction-local settings, an autocommit stream runs in a
  // transaction of its own (a cursor needs one server session for all its reads anyway).
  const autocommitBegin = connection.autocommitBegin();
  let begun = false;
  let commitError: Error | undefined;
  const deferred = connection.takeDeferred();
  try {
    // A cursor cannot carry a prefix: the deferred BEGIN / SAVEPOINT go just before it,
    // on their own, queued in the same tick (nothing may get in between: a sibling
    // savepoint would take the cursor in), and the cursor runs only if they succeeded.
    let guard = prefixes?.guardIfInFlight();
    if (deferred !== undefined && prefixes !== undefined) {
      prefixes.sendAlone(client, prefixes.create(deferred));
      guard = prefixes.guard;
    }
    if (autocommitBegin !== undefined) {
      await client.query(autocommitBegin);
      begun = true;
    }
    // pg serializes the parameters synchronously here: a value it cannot send (a
    // cyclic object, ...) throws now, and must be mapped like any other failure.
    const created = new Cursor<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    if (guard !== undefined) guardSubmit(created, guard);
    cursor = client.query(created);
    for (;;) {
      const rows = await cursor.read(chunkSize);
      if (rows.length === 0) break;
      rowCount += rows.length;
      yield { rows };
    }
  } catch (error) {
    failed = true;
    throw connection.mapped(error);
  } finally {
    // Runs when the consumer stops early too (return() on the iterator).
    if (cursor !== undefined) await closeCursor(connection, cursor);
    if (begun) commitError = await endStreamTransaction(connection, failed);
    const ok = !failed && commitError === undefined;
    connection.completed(compiledQuery, started, ok ? rowCount : null, !ok);
  }
  // A failed COMMIT after the last row is the stream's failure (after an early stop by
  // the consumer there is nobody to tell; the connection is destroyed on release).
  if (commitError !== undefined) throw commitError;
}

/**
 * Ends a wrapped stream's transaction: COMMIT after a clean end, ROLLBACK after a
 * failure. Returns the mapped error of a failed COMMIT; a connection that could not end
 * the transaction is destroyed on release.
 */
async function endStreamTransaction(connection: StreamConnection, failed: boolean): Promise<Error | undefined> {
  if (connection.broken) return undefined;
  try {
    await connection.client.query(failed ? 'rollback' : 'commit');
    return undefined;
  } catch (error) {
    connection.markBroken();
    return failed ? undefined : connection.mapped(error);
  }
}

/**
 * Closes a cursor's portal, unless the connection is gone: pg-cursor's close() then
 * waits forever for a ReadyForQuery that never comes (the stream, its consumer and
 * `db.close()` would hang). A broken connection is destroyed on release, and the
 * server drops the portal with the session.
 */
async function closeCursor(connection: StreamConnection, cursor: Cursor): Promise<void> {
  if (connection.broken) return;
  const { client } = connection;
  let onGone: (() => void) | undefined;
  const gone = new Promise<void>((resolve) => (onGone = resolve));
  client.once('end', onGone!);
  client.once('error', onGone!);
  try {
    const closed = await Promise.race([cursor.close().then(() => true), gone.then(() => false)]);
    if (!closed) connection.markBroken();
  } catch {
    connection.markBroken();
  } finally {
    client.removeListener('end', onGone!);
    client.removeListener('error', onGone!);
  }
}

/** pg fails a submittable whose submit() returns an Error, sending nothing (pg 8's Client). */
function guardSubmit(cursor: Cursor, guard: () => Error | undefined): void {
  const submittable = cursor as unknown as { submit(connection: unknown): Error | null | undefined };
  const submit = submittable.submit.bind(cursor);
  submittable.submit = (connection) => guard() ?? submit(connection);
}
