import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { isRealServer, useTestDatabase } from '../../support/test-database.js';

const unavailable = isRealServer() ? undefined : 'needs a real PostgreSQL server (SET TimeZone per session)';
if (unavailable) console.info(`[timestamp-types] skipped: ${unavailable}`);

// pg's default parser for both types (postgres-date), the reference.
const postgresDate = pg.types.getTypeParser(1184, 'text') as (value: string) => Date | number | null;

const t = useTestDatabase<Record<string, never>>('timestamp_types', { pool: { max: 1 } });

const VALUES = [
  '2024-05-06 07:08:09.123456+00',
  '2024-05-06 07:08:09.999999+00',
  '2024-05-06 07:08:09.000001+00',
  '2000-02-29 23:59:59.5+00',
  '1970-01-01 00:00:00+00',
  '1899-12-31 23:59:59+00', // local mean time offsets with seconds in several zones
  '1850-06-01 12:00:00+00',
  '0099-12-31 23:59:59+00',
  '0050-06-15 12:00:00+00',
  '0001-01-01 00:00:00+00 BC',
  '0044-03-15 12:00:00+00 BC',
  '294276-12-30 12:00:00+00',
  'infinity',
  '-infinity',
];
const ZONES = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Australia/Lord_Howe', 'Pacific/Chatham'];

describe.skipIf(unavailable !== undefined)('timestamps read from PostgreSQL', () => {
  it.each(ZONES)('timestamptz and timestamp equal postgres-date on the server text, with TimeZone %s', async (zone) => {
    await sql`select set_config('TimeZone', ${zone}, false)`.execute(t.db.kysely);
    const { rows } = await sql<{ tz: unknown; tz_text: string; ts: unknown; ts_text: string }>`
      select v::timestamptz as tz, v::timestamptz::text as tz_text,
             v::timestamptz::timestamp as ts, v::timestamptz::timestamp::text as ts_text
      from unnest(${VALUES}::text[]) as v`.execute(t.db.kysely);
    expect(rows).toHaveLength(VALUES.length);
    for (const row of rows) {
      for (const [value, text] of [
        [row.tz, row.tz_text],
        [row.ts, row.ts_text],
      ] as const) {
        const expected = postgresDate(text);
        if (expected instanceof Date) {
          expect(value, text).toBeInstanceOf(Date);
          expect((value as Date).getTime(), text).toBe(expected.getTime());
        } else {
          expect(value, text).toBe(expected);
        }
      }
    }
    // The zones really produce offsets beyond whole hours (the fast path's hard cases).
    expect(rows.map((row) => row.tz_text).join(' ')).toMatch(zone === 'UTC' ? /\+00/ : /[+-]\d\d:\d\d/);
  });
});
