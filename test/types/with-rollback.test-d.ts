import type { Generated } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';

import {
  createDatabase,
  type DatabaseTransaction,
  type DataLayerError,
  type MiddlewareError,
} from '../../src/index.js';
import { withRollback, type WithRollbackOptions } from '../../src/testing/index.js';

interface DB {
  notes: { id: Generated<number>; body: string };
}

const db = createDatabase<DB>();

describe('withRollback', () => {
  it('returns what the test body returns, and passes a typed transaction', () => {
    expectTypeOf(withRollback(db, async () => 42)).toEqualTypeOf<Promise<number>>();
    void withRollback(db, async (tx) => {
      expectTypeOf(tx).toEqualTypeOf<DatabaseTransaction<DB>>();
    });
  });

  it('takes the options of the outer transaction, without retries', () => {
    void withRollback(db, async () => 1, {
      isolationLevel: 'serializable',
      accessMode: 'read only',
      statementTimeoutMs: 100,
    });
    // @ts-expect-error the per-test transaction never commits: nothing to retry
    void withRollback(db, async () => 1, { retries: 3 });
    expectTypeOf<WithRollbackOptions>().toHaveProperty('isolationLevel');
  });
});

describe('MiddlewareError', () => {
  it('is a DataLayerError naming the middleware', () => {
    expectTypeOf<MiddlewareError>().toMatchTypeOf<DataLayerError>();
    expectTypeOf<MiddlewareError['middleware']>().toEqualTypeOf<string>();
    expectTypeOf<MiddlewareError['name']>().toEqualTypeOf<'MiddlewareError'>();
  });
});
