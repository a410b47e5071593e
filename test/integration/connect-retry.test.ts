import { inspect } from 'node:util';

import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';

import { ConnectionError, createDatabase } from '../../src/index.js';
import { useCleanup } from '../support/async.js';
import { captureLogger } from '../support/capture-logger.js';
import { freePort, hostAndPort, startProxy, withPort } from '../support/tcp.js';
import { isRealServer } from '../support/test-database.js';

const { track, defer } = useCleanup();

describe.runIf(isRealServer())('connect() with retry', () => {
  it('keeps retrying a closed port and succeeds once the server opens mid-retry', async () => {
    const port = await freePort();
    const logger = captureLogger();
    const db = track(
      createDatabase({
        connectionString: withPort(inject('databaseUrl'), port),
        logger,
        retry: { attempts: 30, minDelayMs: 50, maxDelayMs: 100 },
      }),
    );
    setTimeout(() => {
      void startProxy(port, hostAndPort(inject('databaseUrl'))).then(track);
    }, 400);
    await db.connect();
    const retries = logger.lines.filter((line) => line.message === 'database connection attempt failed; retrying');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries[0]!.fields).toMatchObject({ attempt: 1, code: 'CONNECTION_FAILED' });
    expect((await sql<{ one: number }>`select 1 as one`.execute(db.kysely)).rows).toEqual([{ one: 1 }]);
  });

  it('gives up after the configured attempts with a ConnectionError carrying the count and cause', async () => {
    const port = await freePort();
    const db = track(
      createDatabase({
        host: '127.0.0.1',
        port,
        logger: 'silent',
        retry: { attempts: 3, minDelayMs: 10, maxDelayMs: 20 },
      }),
    );
    const error = await db.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ attempts: 3, retryable: true });
    expect((error as Error).cause).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('after 3 attempts');
  });

  it('fails at once on an unknown database (3D000), without retrying', async () => {
    const url = new URL(inject('databaseUrl'));
    url.pathname = '/no_such_database_here';
    const logger = captureLogger();
    const db = track(
      createDatabase({ connectionString: url.toString(), logger, retry: { attempts: 5, minDelayMs: 10 } }),
    );
    const error = await db.connect().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ConnectionError', attempts: 1, retryable: false, sqlState: '3D000' });
    expect(logger.lines.filter((line) => line.level === 'warn')).toHaveLength(0);
  });

  it('fails at once when the role may not log in (28000)', async () => {
    const admin = track(createDatabase({ connectionString: inject('databaseUrl'), logger: 'silent' }));
    await sql`drop role if exists data_layer_nologin`.execute(admin.kysely);
    await sql`create role data_layer_nologin nologin`.execute(admin.kysely);
    defer(async () => void (await sql`drop role if exists data_layer_nologin`.execute(admin.kysely)));
    const url = new URL(inject('databaseUrl'));
    url.username = 'data_layer_nologin';
    const db = track(
      createDatabase({ connectionString: url.toString(), logger: 'silent', retry: { attempts: 5, minDelayMs: 10 } }),
    );
    const error = await db.connect().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ConnectionError', attempts: 1, retryable: false, sqlState: '28000' });
  });

  it('stops retrying when the AbortSignal fires', async () => {
    const port = await freePort();
    const db = track(
      createDatabase({
        host: '127.0.0.1',
        port,
        logger: 'silent',
        retry: { attempts: 1000, minDelayMs: 20, maxDelayMs: 20 },
      }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 150);
    const started = Date.now();
    const error = await db.connect({ signal: controller.signal }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toContain('aborted');
    expect((error as ConnectionError).retryable).toBe(false);
  });
});

describe('secrets', () => {
  it('never shows the password in errors, logs, JSON or inspect output', async () => {
    const port = await freePort();
    const secret = 'hunter2-very-secret';
    const logger = captureLogger();
    for (const options of [
      { host: '127.0.0.1', port, user: 'app', password: secret },
      { connectionString: `postgres://app:${secret}@127.0.0.1:${port}/app` },
    ]) {
      const db = track(createDatabase({ ...options, logger, retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 5 } }));
      const error = await db.connect().catch((caught: unknown) => caught);
      expect(String(error)).not.toContain(secret);
      expect(JSON.stringify(error)).not.toContain(secret);
      expect(inspect(error, { depth: 0 })).not.toContain(secret);
      expect(inspect(db, { depth: 5 })).not.toContain(secret);
      expect(JSON.stringify(db)).not.toContain(secret);
    }
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.text()).not.toContain(secret);
  });
});
