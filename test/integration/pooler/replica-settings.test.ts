import { CompiledQuery } from 'kysely';
import { describe, expect, inject, it } from 'vitest';

import { resolveOptions } from '../../../src/config/resolve-options.js';
import { PgDriver } from '../../../src/driver/pg-driver.js';
import { QueryInstrumentation } from '../../../src/driver/query-instrumentation.js';
import { ReplicaSet } from '../../../src/replicas/replica-set.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

const unavailable = isRealServer() ? undefined : 'needs a real PostgreSQL server';

// The replica's own pool, pointed at the test server (being a replica does not matter to
// how its connections carry the settings): with the pooler configured, reads on it get
// the primary's searchPath and statementTimeoutMs as SET LOCAL, not as startup parameters.
const t = useTestDatabase('pooler_replica');

describe.skipIf(unavailable !== undefined)("replica pools with pooler: 'pgbouncer-transaction'", () => {
  it('carry searchPath and statementTimeoutMs inside each read, with no startup parameters', async () => {
    const options = resolveOptions({
      connectionString: inject('databaseUrl'),
      replicas: [inject('databaseUrl')],
      pooler: 'pgbouncer-transaction',
      searchPath: [t.schema, 'public'],
      statementTimeoutMs: 1_234,
      logger: 'silent',
    });
    const instrumentation = new QueryInstrumentation(options);
    const nowhere = { connect: () => Promise.reject(new Error('the primary is not used here')) };
    const replicas = new ReplicaSet({
      replication: options.replication!,
      base: options,
      instrumentation,
      primary: new PgDriver({ pool: nowhere, instrumentation, connectionTimeoutMs: 1_000, isClosed: () => false }),
      owner: {},
      isClosed: () => false,
    });
    const node = replicas.nodes[0]!;
    const connection = await node.driver.acquireConnection();
    try {
      const { rows } = await connection.executeQuery<{ path: string; timeout: string; own: boolean }>(
        CompiledQuery.raw(
          `select current_setting('search_path') as path, current_setting('statement_timeout') as timeout,
             now() = statement_timestamp() as own`,
        ),
      );
      expect(rows[0]).toEqual({ path: `${t.schema}, public`, timeout: '1234ms', own: false });
    } finally {
      await node.driver.releaseConnection(connection);
      await replicas.close();
    }
  });
});
