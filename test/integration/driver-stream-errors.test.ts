import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { DataLayerError, QueryError, ValidationError } from '../../src/index.js';
import { useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase('driver_stream_errors');

const drain = async (rows: AsyncIterable<unknown>) => {
  for await (const row of rows) void row;
};

describe('errors raised inside the driver while streaming', () => {
  it('a chunk size that is not a positive integer is a ValidationError, not a RangeError', async () => {
    for (const chunkSize of [0, -1, 1.5, Number.NaN]) {
      const failure = await drain(t.db.kysely.selectNoFrom(sql<number>`1`.as('one')).stream(chunkSize)).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ValidationError);
      expect(failure).toMatchObject({ issues: [{ path: ['chunkSize'] }] });
    }
  });

  it('a parameter pg cannot serialize (a cyclic object) is a typed error, and the pool and transaction stay usable', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const streamed = await drain(t.db.kysely.selectNoFrom(sql`${cyclic}::jsonb`.as('value')).stream(10)).catch(
      (error: unknown) => error,
    );
    expect(streamed).toBeInstanceOf(QueryError);
    const inTransaction = await t.db
      .transaction(async () => {
        await drain(t.db.kysely.selectNoFrom(sql`${cyclic}::jsonb`.as('value')).stream(10));
      })
      .catch((error: unknown) => error);
    expect(inTransaction).toBeInstanceOf(DataLayerError);
    expect((await sql<{ one: number }>`select 1 as one`.execute(t.db.kysely)).rows).toEqual([{ one: 1 }]);
    expect(t.db.metrics().pool.total).toBeLessThanOrEqual(10);
  });
});
