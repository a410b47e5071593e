import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createDatabase, type Database } from '../../src/index.js';
import { sleep } from '../support/async.js';
import { expectFaultGuarantees } from '../support/fault-guarantees.js';
import { adminClient, createLoadTables, type LoadDB, runMixedLoad } from '../support/mixed-load.js';
import { type PrivateCluster, privateClusterUnavailable, startPrivateCluster } from '../support/private-cluster.js';

const unavailable = privateClusterUnavailable();
if (unavailable !== undefined) console.info(`[reliability] pg_terminate_backend tests skipped: ${unavailable}`);

const APPLICATION_NAME = 'reliability-terminate';
const BOUND_MS = 8_000;

/** Terminates one random backend of the pool under test every `everyMs` until stopped; returns how many. */
async function killRandomBackends(admin: pg.Client, stop: () => boolean, everyMs: number): Promise<number> {
  let killed = 0;
  while (!stop()) {
    const { rows } = await admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [APPLICATION_NAME],
    );
    const victim = rows[Math.floor(Math.random() * rows.length)];
    if (victim !== undefined) {
      const { rows: done } = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [victim.pid]);
      if (done[0]?.ok) killed++;
    }
    await sleep(everyMs);
  }
  return killed;
}

describe.skipIf(unavailable !== undefined)(
  'pg_terminate_backend of random pool connections under a mixed load (private cluster)',
  () => {
    let cluster: PrivateCluster | undefined;
    let db: Database<LoadDB> | undefined;
    let admin: pg.Client | undefined;

    beforeAll(async () => {
      cluster = await startPrivateCluster();
      db = createDatabase<LoadDB>({
        connectionString: cluster.connectionString,
        applicationName: APPLICATION_NAME,
        logger: 'silent',
        pool: { max: 6, connectionTimeoutMs: 2_000 },
      });
      await createLoadTables(db);
      admin = await adminClient(cluster.connectionString);
    });
    afterAll(async () => {
      await admin?.end();
      await db?.close();
      await cluster?.close();
    });

    it('typed errors within the bound, the same handle recovers, all-or-nothing transactions, no stuck session', async () => {
      let stopping = false;
      let killing = false;
      const load = runMixedLoad({ db: db!, workers: 8, stop: () => stopping, boundMs: BOUND_MS });
      let recoveredAt = 0;
      let killed = 0;
      try {
        await sleep(700);
        const killer = killRandomBackends(admin!, () => killing, 60);
        await sleep(3_000);
        killing = true;
        killed = await killer;
        recoveredAt = Date.now() + 100;
        await sleep(1_000);
      } finally {
        killing = true;
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
      expect(killed).toBeGreaterThan(3);
      console.info(`[reliability] pg_terminate_backend: ${JSON.stringify({ ...outcome, terminated: killed })}`);
    }, 40_000);
  },
);
