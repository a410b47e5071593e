import fc from 'fast-check';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import { resolveOptions } from '../../../src/config/resolve-options.js';
import { createPool } from '../../../src/connection/create-pool.js';
import { timestampParser } from '../../../src/connection/parse-timestamp.js';
import { poolTypes } from '../../../src/connection/pool-types.js';

// pg's default for both types: postgres-date, as pg-types registered it.
const postgresDate = pg.types.getTypeParser(1184, 'text') as (value: string) => Date | number | null;
const fast = timestampParser(postgresDate);

/** The same value: the same instant (or both invalid), the same number, or both null. */
function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return Object.is(a.getTime(), b.getTime());
  return Object.is(a, b);
}

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const timestampText = fc
  .record({
    year: fc.oneof(
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 100, max: 9999 }),
      fc.integer({ min: 10000, max: 294276 }),
    ),
    // Mostly valid fields, sometimes any two digits: both parsers must roll over alike.
    month: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 })),
    day: fc.oneof(fc.integer({ min: 1, max: 31 }), fc.integer({ min: 0, max: 99 })),
    hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 99 })),
    minute: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })),
    second: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 99 })),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    offset: fc.option(
      fc.tuple(
        fc.constantFrom('+', '-'),
        fc.integer({ min: 0, max: 15 }),
        fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      ),
      { nil: undefined },
    ),
    bc: fc.boolean(),
  })
  .map(({ year, month, day, hour, minute, second, fraction, offset, bc }) => {
    let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
    if (fraction !== undefined) text += `.${fraction}`;
    if (offset !== undefined) {
      const [sign, hours, minutes, seconds] = offset;
      text += `${sign}${pad(hours, 2)}`;
      if (minutes !== undefined) text += `:${pad(minutes, 2)}`;
      if (minutes !== undefined && seconds !== undefined) text += `:${pad(seconds, 2)}`;
    }
    return bc ? `${text} BC` : text;
  });

/** Near-misses of the shape: a character changed, dropped or appended. */
const mangled = fc
  .tuple(timestampText, fc.nat(), fc.constantFrom('', 'x', ' ', '.', ':', '+', '-', 'Z', '9'), fc.boolean())
  .map(([text, at, char, insert]) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + char + text.slice(insert ? i : i + 1);
  });

const zones = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Europe/Amsterdam'];
const originalTz = process.env.TZ;
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('the fast timestamp parser returns what postgres-date returns', () => {
  it.each([
    '2024-05-06 07:08:09+00',
    '2024-05-06 07:08:09.123456+05:30',
    '1900-01-01 00:00:00+00:19:32',
    '1900-01-01 00:00:00-05:30:15',
    '2024-05-06 07:08:09.9999999-03',
    '2024-05-06 07:08:09.145',
    '2024-00-00 00:00:00+00',
    '2023-02-29 24:60:60+00',
    '2024-99-99 99:99:99.999+15:59:59',
    '0099-01-01 00:00:00+00',
    '0001-01-01 00:00:00+00 BC',
    '0044-03-15 12:00:00+01 BC',
    'infinity',
    '-infinity',
    '2024-05-06',
    'not a timestamp',
    '',
  ])('%s', (text) => {
    expect(same(fast(text), postgresDate(text))).toBe(true);
  });

  it.each(zones)('on generated strings, in time zone %s', (zone) => {
    process.env.TZ = zone;
    fc.assert(
      fc.property(fc.oneof(timestampText, mangled, fc.string()), (text) => same(fast(text), postgresDate(text))),
      { numRuns: 3_000 },
    );
  });
});

describe('poolTypes', () => {
  it('hands the fast parser to pg for timestamp and timestamptz, and pg.types stays as it was', () => {
    expect(poolTypes.getTypeParser(1184, 'text')).not.toBe(postgresDate);
    expect(poolTypes.getTypeParser(1114, 'text')).not.toBe(postgresDate);
    expect(pg.types.getTypeParser(1184, 'text')).toBe(postgresDate);
    expect(poolTypes.getTypeParser(23, 'text')).toBe(pg.types.getTypeParser(23, 'text'));
    expect(poolTypes.getTypeParser(1184, 'binary')).toBe(pg.types.getTypeParser(1184, 'binary'));
  });

  it('uses a parser the host set on the global pg.types instead', () => {
    const custom = (value: string) => `custom ${value}`;
    pg.types.setTypeParser(1184, custom);
    try {
      expect(poolTypes.getTypeParser(1184, 'text')).toBe(custom);
    } finally {
      pg.types.setTypeParser(1184, postgresDate);
    }
    expect(poolTypes.getTypeParser(1184, 'text')).not.toBe(postgresDate);
  });
});

describe('createPool', () => {
  it('gives the pools it creates poolTypes', async () => {
    const pool = createPool(resolveOptions({ host: '127.0.0.1', logger: 'silent' }));
    try {
      expect((pool as unknown as { options: pg.PoolConfig }).options.types).toBe(poolTypes);
    } finally {
      await pool.end();
    }
  });
});
