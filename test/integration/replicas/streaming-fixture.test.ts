import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  startStreamingReplica,
  type StreamingPair,
  streamingReplicaUnavailable,
} from '../../support/streaming-replica.js';

const unavailable = streamingReplicaUnavailable();
if (unavailable !== undefined) console.info(`[replicas] streaming replica fixture tests skipped: ${unavailable}`);

async function query<R extends pg.QueryResultRow>(connectionString: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(unavailable !== undefined)('streaming replica fixture', () => {
  let pair: StreamingPair | undefined;

  beforeAll(async () => {
    pair = await startStreamingReplica({ applyDelayMs: 1_000 });
  }, 30_000);
  afterAll(async () => {
    await pair?.close();
  });

  it('starts a hot standby of the primary that is in recovery and streaming', async () => {
    const [primary] = await query<{ recovery: boolean }>(
      pair!.primary.connectionString,
      'select pg_is_in_recovery() as recovery',
    );
    const [replica] = await query<{ recovery: boolean; status: string }>(
      pair!.replica.connectionString,
      'select pg_is_in_recovery() as recovery, (select status from pg_stat_wal_receiver) as status',
    );
    expect(primary!.recovery).toBe(false);
    expect(replica).toEqual({ recovery: true, status: 'streaming' });
    expect(pair!.replica.port).not.toBe(pair!.primary.port);
  });

  it('replays a commit of the primary only after the apply delay', async () => {
    await query(
      pair!.primary.connectionString,
      'create table fixture_probe (id int); insert into fixture_probe values (1)',
    );
    const early = await query<{ present: boolean }>(
      pair!.replica.connectionString,
      "select to_regclass('public.fixture_probe') is not null as present",
    );
    expect(early[0]!.present).toBe(false);
    const deadline = Date.now() + 10_000;
    let rows: Array<{ id: number }> = [];
    while (Date.now() < deadline) {
      const [present] = await query<{ present: boolean }>(
        pair!.replica.connectionString,
        "select to_regclass('public.fixture_probe') is not null as present",
      );
      if (present!.present) {
        rows = await query<{ id: number }>(pair!.replica.connectionString, 'select id from fixture_probe');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rows).toEqual([{ id: 1 }]);
  });
});
