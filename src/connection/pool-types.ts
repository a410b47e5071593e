import pg from 'pg';

import { timestampParser, type TimestampValue } from './parse-timestamp.js';

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

type TextParser = (value: string) => unknown;

/**
 * pg's own text parsers for timestamp and timestamptz, captured when this module loads:
 * postgres-date (pg-types registers it under the name `parseDate`). Anything else there
 * means the host replaced it on the global `pg.types` before loading this library.
 */
const defaults = new Map<number, TextParser>(
  [TIMESTAMP, TIMESTAMPTZ].flatMap((oid) => {
    const parser = pg.types.getTypeParser(oid, 'text') as TextParser;
    return parser.name === 'parseDate' ? [[oid, parser]] : [];
  }),
);
const fast = new Map<number, TextParser>(
  [...defaults].map(([oid, parser]) => [oid, timestampParser(parser as (value: string) => TimestampValue)]),
);

/**
 * The `types` of the pools this library creates: pg's global `pg.types`, except a faster
 * parser for timestamp and timestamptz that returns the same values as pg's default.
 * The global `pg.types` is never changed; a parser the host sets there (even after the
 * pool exists) is used as it is, since pg asks for a column's parser on every result.
 */
export const poolTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const global = pg.types.getTypeParser(oid, format ?? 'text') as TextParser;
    if (format === 'binary') return global;
    return global === defaults.get(oid) ? (fast.get(oid) ?? global) : global;
  }) as pg.CustomTypesConfig['getTypeParser'],
};
