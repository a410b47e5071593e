import { Writable } from 'node:stream';

import { sql } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

import type { Logger } from '../../src/index.js';
import { captureLogger, type LogLine } from '../support/capture-logger.js';
import { useTestDatabase } from '../support/test-database.js';

interface DB {
  notes: { id: number; body: string };
}

const t = useTestDatabase<DB>('qlog');

const queryLines = (lines: readonly LogLine[]) => lines.filter((line) => line.message === 'query');
const entries = (lines: readonly LogLine[]) =>
  queryLines(lines).map((line) => (line.fields as { query: Record<string, unknown> }).query);

describe('query logging at debug', () => {
  it('logs each statement once with its SQL, duration and row count, without parameter values', async () => {
    const logger = captureLogger();
    const db = t.open({ logger });
    await sql`select n from generate_series(1, ${3}::int) as n`.execute(db.kysely);
    const lines = queryLines(logger.lines);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('debug');
    const { durationMs, ...rest } = entries(logger.lines)[0] ?? {};
    expect(rest).toEqual({ sql: 'select n from generate_series(1, $1::int) as n', rowCount: 3, parameterCount: 1 });
    expect(durationMs).toBeTypeOf('number');
    expect(durationMs).toBeGreaterThanOrEqual(0);
  });

  it('adds the bound values only with logParameters: true', async () => {
    const hidden = captureLogger();
    await sql`select ${'secret-value'}::text as p`.execute(t.open({ logger: hidden }).kysely);
    expect(hidden.text()).not.toContain('secret-value');
    const shown = captureLogger();
    await sql`select ${'visible-value'}::text as p`.execute(t.open({ logger: shown, logParameters: true }).kysely);
    expect(entries(shown.lines)[0]?.parameters).toEqual(['visible-value']);
  });

  it('logs every statement of a transaction (begin, writes, commit) and a failed one with rowCount null', async () => {
    await sql`create table notes (id int primary key, body text not null)`.execute(t.db.kysely);
    const logger = captureLogger();
    const db = t.open({ logger });
    await db.transaction(async (tx) => {
      await tx
        .insertInto('notes')
        .values([
          { id: 1, body: 'a' },
          { id: 2, body: 'b' },
        ])
        .execute();
    });
    await db.kysely
      .insertInto('notes')
      .values({ id: 1, body: 'dup' })
      .execute()
      .catch(() => {});
    expect(entries(logger.lines).map(({ sql: text, rowCount, failed }) => ({ text, rowCount, failed }))).toEqual([
      { text: 'begin', rowCount: 0, failed: undefined },
      { text: 'insert into "notes" ("id", "body") values ($1, $2), ($3, $4)', rowCount: 2, failed: undefined },
      { text: 'commit', rowCount: 0, failed: undefined },
      { text: 'insert into "notes" ("id", "body") values ($1, $2)', rowCount: null, failed: true },
    ]);
  });

  it('logs a streamed query once, when the stream ends, with the rows it yielded', async () => {
    const logger = captureLogger();
    const db = t.open({ logger });
    let rows = 0;
    const query = db.kysely.selectFrom(sql<{ n: number }>`generate_series(1, 25)`.as('g')).selectAll();
    for await (const _row of query.stream(10)) rows++;
    expect(rows).toBe(25);
    const streamed = entries(logger.lines).filter((entry) =>
      String(entry.sql).startsWith('select * from generate_series'),
    );
    expect(streamed).toEqual([expect.objectContaining({ rowCount: 25 })]);
  });

  it('still logs a slow statement once at debug, besides the slow-query warning', async () => {
    const logger = captureLogger();
    await sql`select 1`.execute(t.open({ logger, slowQueryThresholdMs: 0 }).kysely);
    expect(queryLines(logger.lines)).toHaveLength(1);
    expect(logger.lines.filter((line) => line.message === 'slow query')).toHaveLength(1);
  });

  it('writes pino lines when the pino logger is at debug', async () => {
    const written: string[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => void (written.push(chunk.toString()), done()),
    });
    await sql`select 1 as one`.execute(t.open({ logger: pino({ level: 'debug' }, stream) }).kysely);
    const lines = written.map((line) => JSON.parse(line) as { msg: string; query?: { sql: string; rowCount: number } });
    const queries = lines.filter((line) => line.msg === 'query');
    expect(queries).toHaveLength(1);
    expect(queries[0]).toMatchObject({ level: 20, query: { sql: 'select 1 as one', rowCount: 1 } });
  });
});

describe('query logging below debug', () => {
  it('never calls debug (nor builds the line) when the logger says debug is off', async () => {
    let debugCalls = 0;
    let levelChecks = 0;
    const logger: Logger = {
      debug: () => void debugCalls++,
      info: () => {},
      warn: () => {},
      error: () => {},
      isLevelEnabled: () => (levelChecks++, false),
    };
    const db = t.open({ logger });
    await sql`select 1`.execute(db.kysely);
    await sql`select 2`.execute(db.kysely);
    expect(debugCalls).toBe(0);
    expect(levelChecks).toBeGreaterThan(0);
  });

  it('writes no query lines with pino at its default level (warn)', async () => {
    const written: string[] = [];
    const stream = new Writable({
      write: (chunk: Buffer, _encoding, done) => void (written.push(chunk.toString()), done()),
    });
    await sql`select 1`.execute(t.open({ logger: pino({ level: 'warn' }, stream) }).kysely);
    expect(written).toEqual([]);
  });
});
