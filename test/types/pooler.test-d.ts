import { describe, expectTypeOf, it } from 'vitest';

import {
  createDatabase,
  type DatabaseHealthReport,
  type DatabaseOptions,
  type PoolerOption,
  type PoolerReport,
} from '../../src/index.js';

describe('the pooler option and its health report', () => {
  it('accepts the two modes or unset, and nothing else', () => {
    expectTypeOf<PoolerOption>().toEqualTypeOf<'pgbouncer-transaction' | 'none'>();
    expectTypeOf<DatabaseOptions['pooler']>().toEqualTypeOf<PoolerOption | undefined>();
    createDatabase({ pooler: 'pgbouncer-transaction', statementTimeoutMs: 5_000, searchPath: ['app', 'public'] });
    createDatabase({ pooler: 'none' });
    createDatabase({ pooler: 'pgbouncer-transaction', preparedStatements: { max: 200 } });
    // @ts-expect-error session mode needs nothing from the library: not an option
    createDatabase({ pooler: 'pgbouncer-session' });
    // @ts-expect-error a mode name, not a flag
    createDatabase({ pooler: true });
  });

  it('reports the mode and where it came from in health()', () => {
    expectTypeOf<DatabaseHealthReport['pooler']>().toEqualTypeOf<PoolerReport>();
    expectTypeOf<PoolerReport['mode']>().toEqualTypeOf<PoolerOption>();
    expectTypeOf<PoolerReport['source']>().toEqualTypeOf<'configured' | 'detected' | 'default'>();
  });
});
