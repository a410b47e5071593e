import { type Generated, sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { TransactionError } from '../../../src/index.js';
import { sleep } from '../../support/async.js';
import { statementSpy } from '../../support/statement-spy.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

interface DB {
  items: { id: Generated<number>; label: string };
}

const spy = statementSpy();
const t = useTestDatabase<DB>('savepoints', spy.options);
const insert = (label: string) => t.db.kysely.insertInto('items').values({ label }).execute();
const labels = async () =>
  (await t.db.kysely.selectFrom('items').select('label').orderBy('id').execute()).map((row) => row.label);
/** The statement log with the repetitive insert text shortened. */
const log = () =>
  spy.statements.map((statement) => (statement.startsWith('insert into "items"') ? 'insert' : statement));

beforeAll(async () => {
  await sql`create table items (id serial primary key, label text not null)`.execute(t.db.kysely);
});
beforeEach(async () => {
  await sql`truncate items`.execute(t.db.kysely);
  spy.clear();
});

describe('nested db.transaction', () => {
  it('becomes a savepoint that is released on success', async () => {
    await t.db.transaction(async () => {
      await insert('outer');
      await t.db.transaction(async (inner) => {
        expect(inner.depth).toBe(1);
        await insert('inner');
      });
    });
    expect(log()).toEqual([
      'begin',
      'insert',
      'savepoint "dl_sp_1"',
      'insert',
      'release savepoint "dl_sp_1"',
      'commit',
    ]);
    expect(await labels()).toEqual(['outer', 'inner']);
  });

  it('rolls back only the savepoint on error and rethrows; the outer catches it and commits the rest', async () => {
    const failure = new Error('inner failed');
    await t.db.transaction(async () => {
      await insert('before');
      await expect(
        t.db.transaction(async () => {
          await insert('lost');
          throw failure;
        }),
      ).rejects.toBe(failure);
      await insert('after');
    });
    expect(log()).toEqual([
      'begin',
      'insert',
      'savepoint "dl_sp_1"',
      'insert',
      'rollback to savepoint "dl_sp_1"',
      'insert',
      'commit',
    ]);
    expect(await labels()).toEqual(['before', 'after']);
  });

  it('recovers from a failed statement inside a savepoint (the outer transaction stays usable)', async () => {
    await t.db.transaction(async () => {
      await insert('kept');
      await t.db.transaction(() => sql`select * from no_such_table`.execute(t.db.kysely)).catch(() => {});
      await insert('also kept');
    });
    expect(await labels()).toEqual(['kept', 'also kept']);
  });

  it('works at depth 3 and beyond, with unique savepoint names', async () => {
    await t.db.transaction(async () => {
      await t.db.transaction(async () => {
        await insert('depth 1');
        await t.db.transaction(async (d2) => {
          await insert('depth 2');
          await t.db
            .transaction(async (d3) => {
              expect([d2.depth, d3.depth]).toEqual([2, 3]);
              await insert('depth 3 lost');
              throw new Error('deepest fails');
            })
            .catch(() => {});
        });
      });
      await t.db.transaction(() => insert('sibling'));
    });
    const names = spy.statements
      .filter((statement) => statement.startsWith('savepoint'))
      .map((statement) => statement.split(' ')[1]);
    expect(names).toEqual(['"dl_sp_1"', '"dl_sp_2"', '"dl_sp_3"', '"dl_sp_4"']);
    expect(await labels()).toEqual(['depth 1', 'depth 2', 'sibling']);
  });

  it('rejects options a savepoint cannot honour instead of ignoring them', async () => {
    await t.db.transaction(
      async () => {
        await expect(t.db.transaction(async () => {}, { isolationLevel: 'read committed' })).rejects.toThrow(
          /cannot change isolationLevel/,
        );
        await expect(t.db.transaction(async () => {}, { accessMode: 'read only' })).rejects.toBeInstanceOf(
          TransactionError,
        );
        await expect(t.db.transaction(async () => {}, { retries: 2 })).rejects.toThrow(/only the outermost/);
        // Repeating the outer settings is fine.
        await t.db.transaction(async () => {}, { isolationLevel: 'serializable' });
      },
      { isolationLevel: 'serializable' },
    );
  });

  it.runIf(isRealServer())(
    'gives a savepoint its own statement timeout and restores the outer one afterwards',
    async () => {
      await t.db.transaction(
        async () => {
          await expect(
            t.db.transaction(() => sql`select pg_sleep(1)`.execute(t.db.kysely), { statementTimeoutMs: 50 }),
          ).rejects.toMatchObject({
            name: 'StatementTimeoutError',
          });
          await t.db.transaction(async () => {}, { statementTimeoutMs: 60 });
          const { rows } = await sql<{ value: string }>`select current_setting('statement_timeout') as value`.execute(
            t.db.kysely,
          );
          expect(rows[0]!.value).toBe('5s');
        },
        { statementTimeoutMs: 5_000 },
      );
    },
  );
});

describe('concurrency inside one transaction', () => {
  it('serializes Promise.all of nested transactions in call order, never interleaving savepoints', async () => {
    await t.db.transaction(async () => {
      await Promise.all([
        t.db.transaction(async () => {
          await sleep(20); // the slow one still goes first: it was called first
          await insert('first');
        }),
        t.db
          .transaction(async () => {
            await insert('second');
            throw new Error('second fails');
          })
          .catch(() => {}),
        t.db.transaction(() => insert('third')),
      ]);
    });
    expect(log()).toEqual([
      'begin',
      'savepoint "dl_sp_1"',
      'insert',
      'release savepoint "dl_sp_1"',
      'savepoint "dl_sp_2"',
      'insert',
      'rollback to savepoint "dl_sp_2"',
      'savepoint "dl_sp_3"',
      'insert',
      'release savepoint "dl_sp_3"',
      'commit',
    ]);
    expect(await labels()).toEqual(['first', 'third']);
  });

  it('queues statements of the outer scope behind an open savepoint, so its rollback cannot take them', async () => {
    await t.db.transaction(async () => {
      await Promise.all([
        t.db
          .transaction(async () => {
            await sleep(20);
            await insert('in savepoint');
            throw new Error('savepoint fails');
          })
          .catch(() => {}),
        insert('outer, issued while the savepoint is open'),
      ]);
    });
    expect(log()).toEqual([
      'begin',
      'savepoint "dl_sp_1"',
      'insert',
      'rollback to savepoint "dl_sp_1"',
      'insert',
      'commit',
    ]);
    expect(await labels()).toEqual(['outer, issued while the savepoint is open']);
  });

  it('lets a savepoint use the outer tx handle it closed over, without deadlocking', async () => {
    await t.db.transaction(async (outer) => {
      await t.db.transaction(async () => {
        await outer.insertInto('items').values({ label: 'via outer handle' }).execute();
      });
    });
    expect(await labels()).toEqual(['via outer handle']);
  });
});
