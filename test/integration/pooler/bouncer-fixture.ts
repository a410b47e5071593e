import pg from 'pg';
import { inject } from 'vitest';

import type { PgBouncer } from '../../support/pgbouncer.js';
import { withPort } from '../../support/tcp.js';

/** The test database's URL, pointed at `bouncer`. */
export function bouncerUrl(bouncer: PgBouncer): string {
  return withPort(inject('databaseUrl'), bouncer.port);
}

/**
 * Runs `fn` on a raw pg client through `bouncer` (no startup settings): with one server
 * connection it sees exactly what our statements left on the server session.
 */
export async function withRawClient<T>(bouncer: PgBouncer, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: bouncerUrl(bouncer) });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** What a fresh client sees on the (shared) server session: the server defaults when nothing leaked. */
export async function serverSession(
  bouncer: PgBouncer,
): Promise<{ statementTimeout: string; searchPath: string; prepared: number }> {
  return withRawClient(bouncer, async (client) => {
    const timeout = await client.query<{ statement_timeout: string }>('show statement_timeout');
    const path = await client.query<{ search_path: string }>('show search_path');
    const prepared = await client.query<{ count: string }>(
      "select count(*) from pg_prepared_statements where name like 'dl\\_%'",
    );
    return {
      statementTimeout: timeout.rows[0]!.statement_timeout,
      searchPath: path.rows[0]!.search_path,
      prepared: Number(prepared.rows[0]!.count),
    };
  });
}

/** Closes every named statement on the shared server session (so the next test starts clean). */
export async function deallocateAll(bouncer: PgBouncer): Promise<void> {
  await withRawClient(bouncer, (client) => client.query('deallocate all'));
}
