import { type Generated, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { startWireProxy, type WireProxy } from '../../../bench/lib/wire-counter.js';
import { BaseRepository, type Database, QueryError } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { isRealServer, throughPgBouncer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  deferred_items: { id: Generated<number>; label: string; qty: number };
}

// BEGIN and SAVEPOINT are deferred to the next statement and sent ahead of it under its
// Sync: a transaction of two statements is three round trips (raw pg: four), a savepoint
// rollback three (raw pg: six), and a transaction that runs no statement sends nothing.
// Counted on the wire, through a proxy that counts the client's Query and Sync messages.
const spy = statementSpy();
const t = useTestDatabase<DB>('tx_deferred', spy.options);
const direct = isRealServer() && !throughPgBouncer();
let proxy: WireProxy | undefined;
let db: Database<DB>;
let items: BaseRepository<DB, 'deferred_items'>;

const roundTrips = (): number => proxy!.counts.query + proxy!.counts.sync;
async function tripsOf(work: () => Promise<unknown>): Promise<number> {
  const before = roundTrips();
  await work().catch(() => undefined);
  return roundTrips() - before;
}
const rolledBack = new Error('roll the savepoint back');

beforeAll(async () => {
  await sql`create table deferred_items (id serial primary key, label text not null, qty int not null)`.execute(
    t.db.kysely,
  );
  if (!direct) return;
  const url = new URL(t.options.connectionString!);
  proxy = await startWireProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.port = String(proxy.port);
  db = t.open({ connectionString: url.toString(), pool: { max: 1 } });
  items = new BaseRepository(db, { table: 'deferred_items' });
  // Prepare the named statements on the one connection first (their Parse is not counted below).
  const row = await items.create({ label: 'warm', qty: 0 });
  await items.update(row.id, { qty: 1 });
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(() => spy.clear());

describe.runIf(direct)('deferred BEGIN and SAVEPOINT', () => {
  it('sends a transaction of two statements in three round trips, BEGIN with the first', async () => {
    const trips = await tripsOf(() =>
      db.transaction(async () => {
        const row = await items.create({ label: 'a', qty: 0 });
        await items.update(row.id, { qty: 2 });
      }),
    );
    expect(trips).toBe(3);
    // Instrumentation still sees the BEGIN, ahead of the statement it went with.
    expect(spy.statements.map((each) => each.split(' ')[0])).toEqual(['begin', 'insert', 'update', 'commit']);
    expect(await t.db.kysely.selectFrom('deferred_items').select('qty').where('label', '=', 'a').execute()).toEqual([
      { qty: 2 },
    ]);
  });

  it('sends a savepoint rollback in three round trips and keeps only the outer row', async () => {
    const trips = await tripsOf(() =>
      db.transaction(async () => {
        await items.create({ label: 'outer', qty: 0 });
        await db
          .transaction(async () => {
            await items.create({ label: 'inner', qty: 0 });
            throw rolledBack;
          })
          .catch((error: unknown) => {
            if (error !== rolledBack) throw error;
          });
      }),
    );
    expect(trips).toBe(3); // BEGIN + insert, SAVEPOINT + insert, ROLLBACK TO + COMMIT
    const labels = await t.db.kysely.selectFrom('deferred_items').select('label').orderBy('id').execute();
    expect(labels.map((row) => row.label)).toContain('outer');
    expect(labels.map((row) => row.label)).not.toContain('inner');
  });

  it('sends nothing for a transaction, or a savepoint, that runs no statement', async () => {
    expect(await tripsOf(() => db.transaction(async () => 'nothing'))).toBe(0);
    expect(await tripsOf(() => db.transaction(() => Promise.reject(rolledBack)))).toBe(0);
    const trips = await tripsOf(() =>
      db.transaction(async () => {
        await db.transaction(async () => 'empty savepoint');
        await items.create({ label: 'after', qty: 0 });
      }),
    );
    expect(trips).toBe(2); // BEGIN + insert, COMMIT: no SAVEPOINT, no RELEASE
  });

  it('a statement in the simple protocol goes after the deferred BEGIN, inside the transaction', async () => {
    await db
      .transaction(async (tx) => {
        await sql`insert into deferred_items (label, qty) values ('simple', 0)`.execute(tx);
        const { rows } = await sql<{ open: boolean }>`select now() = statement_timestamp() as open`.execute(tx);
        expect(rows[0]!.open).toBe(false); // now() is the transaction's start: a transaction is open
        throw rolledBack;
      })
      .catch(() => undefined);
    expect(await t.db.kysely.selectFrom('deferred_items').where('label', '=', 'simple').execute()).toEqual([]);
  });

  // Review finding: the stream awaited its prefix before queueing the cursor, so a sibling
  // savepoint started meanwhile took the cursor in, and its ROLLBACK TO undid the write.
  it('queues a stream right behind its deferred control: a sibling savepoint cannot take it in', async () => {
    const row = await items.create({ label: 'streamed', qty: 0 });
    const streamed: unknown[] = [];
    await db.transaction(async () => {
      const consume = (async () => {
        const updates = db.kysely
          .updateTable('deferred_items')
          .set({ qty: 100 })
          .where('id', '=', row.id)
          .returning(['qty'])
          .stream();
        for await (const each of updates) streamed.push(each);
      })();
      for (let tick = 0; tick < 30; tick += 1) await Promise.resolve(); // let the stream start first
      const nested = db.transaction(async () => {
        await items.create({ label: 'sibling', qty: 1 });
        throw rolledBack;
      });
      await Promise.allSettled([consume, nested]);
    });
    expect(streamed).toEqual([{ qty: 100 }]);
    const stored = await t.db.kysely.selectFrom('deferred_items').select('qty').where('id', '=', row.id).execute();
    expect(stored).toEqual([{ qty: 100 }]);
  });

  // Review finding: pg's own error for a value it cannot send (raised after the prefix went
  // out with its Sync) was taken for a failed BEGIN, and the whole transaction failed.
  it('a value pg cannot send fails its statement only, the transaction goes on', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const insertLabel = (label: unknown) =>
      sql`insert into deferred_items (label, qty) values (${label}, 0)`.execute(db.kysely);
    await insertLabel('prepared'); // the named statement is now parsed on the one connection
    await db.transaction(async () => {
      await expect(insertLabel(cyclic)).rejects.toThrow(/circular/);
      await items.create({ label: 'after a client-side error', qty: 0 });
    });
    const labels = await t.db.kysely.selectFrom('deferred_items').select('label').execute();
    expect(labels.map((each) => each.label)).toContain('after a client-side error');
  });

  it('fails closed when the deferred SAVEPOINT fails: nothing after it runs, nothing commits', async () => {
    const outcome = db.transaction(async () => {
      await items.create({ label: 'doomed', qty: 0 });
      // Caught, so the transaction is aborted but the callback goes on.
      await sql`select 1 / 0`.execute(db.kysely).catch(() => undefined);
      // The SAVEPOINT goes with the nested statement and fails (25P02): the statement does not run.
      await db.transaction(() => items.create({ label: 'nested', qty: 0 })).catch(() => undefined);
      await items.create({ label: 'later', qty: 0 });
    });
    await expect(outcome).rejects.toBeInstanceOf(QueryError);
    const labels = await t.db.kysely.selectFrom('deferred_items').select('label').execute();
    expect(labels.map((row) => row.label)).not.toEqual(expect.arrayContaining(['doomed']));
    expect(labels.map((row) => row.label)).not.toEqual(expect.arrayContaining(['nested']));
    expect(labels.map((row) => row.label)).not.toEqual(expect.arrayContaining(['later']));
    // The connection was discarded and replaced: the next transaction works.
    await db.transaction(() => items.create({ label: 'fresh', qty: 0 }));
  });
});
