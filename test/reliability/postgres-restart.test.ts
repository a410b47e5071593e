import { sql } from 'kysely';
import { afterAll, beforeAll, describe, it } from 'vitest';

import { createDatabase, type Database } from '../../src/index.js';
import { sleep } from '../support/async.js';
import { expectFaultGuarantees } from '../support/fault-guarantees.js';
import { createLoadTables, type LoadDB, runMixedLoad } from '../support/mixed-load.js';
import {
  type PrivateCluster,
  privateClusterUnavailable,
  type ShutdownMode,
  startPrivateCluster,
} from '../support/private-cluster.js';

const unavailable = privateClusterUnavailable();
if (unavailable !== undefined) console.info(`[reliability] PostgreSQL restart tests skipped: ${unavailable}`);

const APPLICATION_NAME = 'reliability-restart';
/** No single call may take longer than this, whatever the fault. */
const BOUND_MS = 8_000;

describe.skipIf(unavailable !== undefined)('PostgreSQL restarted under a mixed load (private cluster)', () => {
  let cluster: PrivateCluster | undefined;
  let db: Database<LoadDB> | undefined;

  beforeAll(async () => {
    cluster = await startPrivateCluster();
    db = createDatabase<LoadDB>({
      connectionString: cluster.connectionString,
      applicationName: APPLICATION_NAME,
      logger: 'silent',
      pool: { max: 6, connectionTimeoutMs: 2_000 },
    });
    await createLoadTables(db);
  });
  afterAll(async () => {
    await db?.close();
    await cluster?.close();
  });

  it.each<ShutdownMode>(['fast', 'immediate'])(
    '%s shutdown and start: typed errors within the bound, the same handle recovers, all-or-nothing transactions, no stuck session',
    async (mode) => {
      await sql`truncate ledger, items, notes restart identity`.execute(db!.kysely);
      let stopping = false;
      const load = runMixedLoad({ db: db!, workers: 8, stop: () => stopping, boundMs: BOUND_MS });
      let recoveredAt = 0;
      try {
        await sleep(1_000);
        await cluster!.stopServer(mode);
        await sleep(700); // calls made while the server is down fail fast (connection refused)
        await cluster!.startServer();
        // pg-pool drops idle clients cut by the restart when their 'error' event arrives.
        recoveredAt = Date.now() + 200;
        await sleep(1_500);
      } finally {
        stopping = true;
      }
      const report = await load;
      const outcome = await expectFaultGuarantees({
        db: db!,
        connectionString: cluster!.connectionString,
        applicationName: APPLICATION_NAME,
        report,
        boundMs: BOUND_MS,
        recoveredAt,
      });
      console.info(`[reliability] restart (${mode}): ${JSON.stringify(outcome)}`);
    },
    40_000,
  );
});
