import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { useTestDatabase } from '../../support/test-database.js';

const t = useTestDatabase('non_error_throws');

describe('a transaction callback that throws something other than an Error', () => {
  it.each<[string, unknown]>([
    ['a string', 'boom'],
    ['a plain object', { code: 'E_APP', detail: 'rejected by the service' }],
    ['undefined', undefined],
    ['a number', 42],
  ])('rethrows %s unchanged (outermost, savepoint, and with retries)', async (_kind, thrown) => {
    const fail = async () => {
      await sql`select 1`.execute(t.db.kysely);
      throw thrown;
    };
    await expect(t.db.transaction(fail)).rejects.toBe(thrown);
    await expect(t.db.transaction(fail, { retries: 2 })).rejects.toBe(thrown);
    await expect(t.db.transaction(() => t.db.transaction(fail))).rejects.toBe(thrown);
    expect(t.db.metrics().transactions.active).toBe(0);
  });
});
