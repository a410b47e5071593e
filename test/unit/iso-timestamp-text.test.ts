import { describe, expect, it } from 'vitest';

import { isoTimestampText, isValidCursorText } from '../../src/repository/cursor-values.js';

// Keyset cursors carry JSON's ISO 8601 text of a timestamp; the driver reads the text that
// DateStyle ISO sends. Every pair below is what PostgreSQL 15 writes both ways.
describe('isoTimestampText', () => {
  const withZone: Array<[string, string]> = [
    ['2026-01-01 00:00:01.234567+00', '2026-01-01T00:00:01.234567+00:00'],
    ['2026-01-01 05:45:01+05:45', '2026-01-01T05:45:01+05:45'],
    ['1900-01-01 00:19:33+00:19:32', '1900-01-01T00:19:33+00:19:32'],
    ['0044-03-15 12:00:00+00 BC', '0044-03-15T12:00:00+00:00 BC'],
    ['12026-01-01 00:00:00-03', '12026-01-01T00:00:00-03:00'],
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
  ];
  it.each(withZone)('timestamptz %s -> %s', (wire, json) => {
    expect(isoTimestampText(wire, true)).toBe(json);
    expect(isValidCursorText(json, 'timestamp with time zone', 'timestamptz')).toBe(true);
  });

  const withoutZone: Array<[string, string]> = [
    ['1999-12-31 23:59:59.999998', '1999-12-31T23:59:59.999998'],
    ['0044-03-15 12:00:00 BC', '0044-03-15T12:00:00 BC'],
  ];
  it.each(withoutZone)('timestamp %s -> %s', (wire, json) => {
    expect(isoTimestampText(wire, false)).toBe(json);
    expect(isValidCursorText(json, 'timestamp without time zone', 'timestamp')).toBe(true);
  });

  it('refuses other DateStyles and a zone where none belongs (or none where one does)', () => {
    for (const text of [
      '31/12/1999 23:59:59.999998 UTC', // SQL, DMY
      'Fri Dec 31 23:59:59.999998 1999 UTC', // Postgres
      '31.12.1999 23:59:59.999998 UTC', // German
      '1999-12-31T23:59:59+00:00', // already JSON's form: not what the wire sends
      '1999-12-31 23:59:59',
      '',
    ]) {
      expect(isoTimestampText(text, true)).toBeUndefined();
    }
    expect(isoTimestampText('1999-12-31 23:59:59+00', false)).toBeUndefined();
  });
});
