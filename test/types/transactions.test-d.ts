import type { Generated, Selectable, Transaction } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import {
  createDatabase,
  type DatabaseTransaction,
  type LocalSetting,
  type SessionControl,
  type TransactionMark,
  type TransactionMetrics,
  type TransactionOptions,
} from '../../src/index.js';

interface DB {
  orders: { id: Generated<number>; total: number };
}

const db = createDatabase<DB>();

describe('db.transaction', () => {
  it('returns what the callback returns', () => {
    expectTypeOf(db.transaction(async () => 42)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(db.transaction(async () => ({ ok: true as const }))).toEqualTypeOf<Promise<{ ok: true }>>();
  });

  it('passes a typed Kysely transaction with hooks', () => {
    void db.transaction(async (tx) => {
      expectTypeOf(tx).toEqualTypeOf<DatabaseTransaction<DB>>();
      expectTypeOf(tx).toMatchTypeOf<Transaction<DB>>();
      const row = await tx.selectFrom('orders').selectAll().executeTakeFirstOrThrow();
      expectTypeOf(row).toEqualTypeOf<Selectable<DB['orders']>>();
      tx.afterCommit(() => {});
      tx.afterCommit(async () => {});
      tx.afterRollback((error) => {
        expectTypeOf(error).toBeUnknown();
      });
      expectTypeOf(tx.depth).toBeNumber();
      // @ts-expect-error unknown table
      tx.selectFrom('customers');
      // @ts-expect-error hooks take no arguments
      tx.afterCommit((value: string) => value);
    });
  });

  it('types its options', () => {
    expectTypeOf<{ isolationLevel: 'serializable'; retries: 3 }>().toMatchTypeOf<TransactionOptions>();
    // @ts-expect-error not an isolation level
    void db.transaction(async () => {}, { isolationLevel: 'snapshot' });
    // @ts-expect-error not an access mode
    void db.transaction(async () => {}, { accessMode: 'write only' });
    // @ts-expect-error the callback must return a promise
    void db.transaction(() => 1);
  });

  it('types the helpers around it', () => {
    expectTypeOf(db.currentTransaction()).toEqualTypeOf<DatabaseTransaction<DB> | undefined>();
    expectTypeOf(db.outsideTransaction(() => 'x')).toEqualTypeOf<string>();
    expectTypeOf(db.afterCommit(() => {})).toEqualTypeOf<Promise<void>>();
    expectTypeOf(db.metrics().transactions).toEqualTypeOf<TransactionMetrics>();
  });
});

describe('transaction-local settings', () => {
  it('tx.setLocal takes a name and a string value', () => {
    void db.transaction(async (tx) => {
      expectTypeOf(tx.setLocal('app.tenant_id', 'acme')).toEqualTypeOf<Promise<void>>();
      // @ts-expect-error the value is a string, as set_config takes it
      void tx.setLocal('app.tenant_id', 42);
    });
  });

  it('SessionControl.withLocalSetting returns what the work returns', () => {
    const useSession = (session: SessionControl, setting: LocalSetting) => {
      expectTypeOf(session.withLocalSetting(setting, async () => 42)).toEqualTypeOf<Promise<number>>();
      expectTypeOf(session.joinsAmbient(setting)).toBeBoolean();
    };
    expectTypeOf(useSession).toBeFunction();
    expectTypeOf<{ name: string; value: string; since: undefined }>().toMatchTypeOf<LocalSetting>();
    expectTypeOf<LocalSetting['since']>().toEqualTypeOf<TransactionMark>();
  });
});
