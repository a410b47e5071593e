import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import type { SlowQueryEvent } from '../../src/index.js';
import { captureLogger } from '../support/capture-logger.js';
import { useTestDatabase } from '../support/test-database.js';

const t = useTestDatabase<Record<string, never>>('slow');

describe('slow-query hook', () => {
  it('reports sql, duration, parameter and row counts, without parameters by default', async () => {
    const events: SlowQueryEvent[] = [];
    const db = t.open({ slowQueryThresholdMs: 30, onSlowQuery: (event) => void events.push(event) });
    await sql`select pg_sleep(0.05), ${'secret-param'}::text as p`.execute(db.kysely);
    await sql`select 1`.execute(db.kysely);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ sql: 'select pg_sleep(0.05), $1::text as p', parameterCount: 1, rowCount: 1 });
    expect(events[0]!.durationMs).toBeGreaterThanOrEqual(30);
    expect(events[0]).not.toHaveProperty('parameters');
    expect(JSON.stringify(events)).not.toContain('secret-param');
  });

  it('includes parameters only with logParameters: true', async () => {
    const events: SlowQueryEvent[] = [];
    const db = t.open({
      slowQueryThresholdMs: 0,
      logParameters: true,
      onSlowQuery: (event) => void events.push(event),
    });
    await sql`select ${'visible'}::text as p`.execute(db.kysely);
    expect(events.at(-1)?.parameters).toEqual(['visible']);
  });

  it('logs a pino-style warning by default, without parameters', async () => {
    const logger = captureLogger();
    const db = t.open({ slowQueryThresholdMs: 0, logger });
    await sql`select ${'secret-param'}::text as p`.execute(db.kysely);
    const warning = logger.lines.find((line) => line.message === 'slow query');
    expect(warning?.level).toBe('warn');
    expect(warning?.fields).toMatchObject({ slowQuery: { sql: 'select $1::text as p', parameterCount: 1 } });
    expect(logger.text()).not.toContain('secret-param');
  });

  it('a throwing or rejecting hook never breaks the query, and is logged', async () => {
    const logger = captureLogger();
    const throwing = t.open({
      slowQueryThresholdMs: 0,
      logger,
      onSlowQuery: () => {
        throw new Error('hook bug');
      },
    });
    const rejecting = t.open({
      slowQueryThresholdMs: 0,
      logger,
      onSlowQuery: () => Promise.reject(new Error('async hook bug')),
    });
    await expect(sql`select 1 as one`.execute(throwing.kysely)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await expect(sql`select 1 as one`.execute(rejecting.kysely)).resolves.toMatchObject({ rows: [{ one: 1 }] });
    await expect.poll(() => logger.lines.filter((line) => line.level === 'error').length).toBe(2);
  });

  it('also reports slow statements that failed, with rowCount null', async () => {
    const events: SlowQueryEvent[] = [];
    const db = t.open({ slowQueryThresholdMs: 0, onSlowQuery: (event) => void events.push(event) });
    await sql`select * from missing_table`.execute(db.kysely).catch(() => {});
    expect(events.at(-1)).toMatchObject({ sql: 'select * from missing_table', rowCount: null });
  });
});
