import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { TransactionError } from '../../../src/index.js';
import { hasConcurrentSessions, useTestDatabase } from '../../support/test-database.js';

interface DB {
  notes: { body: string };
}

const t = useTestDatabase<DB>('strict');

beforeAll(async () => {
  await sql`create table notes (body text not null)`.execute(t.db.kysely);
});

describe('how db.kysely resolves across database handles', () => {
  it.runIf(hasConcurrentSessions())(
    'each handle finds its own ambient transaction, even when they nest inside each other',
    async () => {
      const other = t.open();
      await t.db
        .transaction(async () => {
          await other.transaction(async () => {
            await t.db.kysely.insertInto('notes').values({ body: 'first handle' }).execute();
            await other.kysely.insertInto('notes').values({ body: 'second handle' }).execute();
            expect(t.db.currentTransaction()?.depth).toBe(0);
            expect(other.currentTransaction()?.depth).toBe(0);
          });
          throw new Error('roll back the first handle only');
        })
        .catch(() => {});
      const bodies = (await t.db.kysely.selectFrom('notes').select('body').execute()).map((row) => row.body);
      expect(bodies).toEqual(['second handle']);
      await sql`truncate notes`.execute(t.db.kysely);
    },
  );

  it.runIf(hasConcurrentSessions())(
    'by default, another handle inside a transaction uses its pool (a foreign connection)',
    async () => {
      const other = t.open();
      await t.db.transaction(async () => {
        await t.db.kysely.insertInto('notes').values({ body: 'uncommitted' }).execute();
        const seen = await other.kysely.selectFrom('notes').selectAll().execute();
        expect(seen).toEqual([]); // it cannot see the transaction's own writes
      });
      await sql`truncate notes`.execute(t.db.kysely);
    },
  );

  it.runIf(hasConcurrentSessions())(
    'with strictTransactions, a pooled query inside a transaction scope throws TransactionError',
    async () => {
      const strict = t.open({ strictTransactions: true });
      await t.db.transaction(async () => {
        await expect(strict.kysely.selectFrom('notes').selectAll().execute()).rejects.toBeInstanceOf(TransactionError);
        // The sanctioned way out:
        await expect(
          strict.outsideTransaction(() => strict.kysely.selectFrom('notes').selectAll().execute()),
        ).resolves.toEqual([]);
      });
      await expect(strict.kysely.selectFrom('notes').selectAll().execute()).resolves.toEqual([]);
    },
  );
});
