import type pg from 'pg';

/** The pg internal this relies on (pg 8): the connection's record of statements it parsed. */
export interface ParsedStatements {
  parsedStatements: Record<string, string | undefined>;
}

/**
 * Runs `query` (a named statement) after closing the named statements `names` on the
 * server, in the same round trip: the protocol's Close messages go out just ahead of the
 * statement's Parse/Bind/Execute, under its Sync. Close rather than `DEALLOCATE`: Close
 * works inside an aborted transaction (DEALLOCATE fails there with 25P02), is not an
 * error for a name the server does not know, and needs no extra statement in pg's queue.
 */
export function queryAfterClosing(client: pg.ClientBase, names: readonly string[], query: pg.Query): void {
  const submit = query.submit.bind(query);
  query.submit = (connection: pg.Connection) => {
    // pg skips Parse for names in its record. Forgotten here, when the Close goes out,
    // not at eviction: a statement queued before this one still binds the old copy.
    const { parsedStatements } = connection as unknown as ParsedStatements;
    for (const name of names) {
      delete parsedStatements[name];
      connection.close({ type: 'S', name }, true);
    }
    return submit(connection);
  };
  client.query(query);
}
