import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';

import { ConfigError, createDatabase } from '../../../src/index.js';
import { freePort } from '../../support/tcp.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-embedded-test-'));
  // As root the server runs as `postgres`, which must reach the data directory inside.
  fs.chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

interface ServerFacts {
  port: number;
  dataDir: string;
  version: string;
}

async function serverFacts(db: ReturnType<typeof createDatabase>): Promise<ServerFacts> {
  const { rows } =
    await sql<ServerFacts>`select current_setting('port')::int as port, current_setting('data_directory') as "dataDir", current_setting('server_version') as version`.execute(
      db.kysely,
    );
  return rows[0]!;
}

describe('createDatabase({ embedded: true })', () => {
  it('starts a real PostgreSQL with temporary data on a free port, and close() stops it and removes the data', async () => {
    const db = createDatabase({ embedded: true, logger: 'silent' });
    await db.connect();
    const facts = await serverFacts(db);
    expect(Number.parseInt(facts.version, 10)).toBeGreaterThanOrEqual(18);
    expect(facts.dataDir.startsWith(os.tmpdir())).toBe(true);
    expect(fs.existsSync(facts.dataDir)).toBe(true);
    // Real sessions: two connections at once, each with its own backend.
    const pids = await Promise.all(
      [1, 2].map(() =>
        db.transaction(async (tx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.1)`.execute(tx);
          return rows[0]!.pid;
        }),
      ),
    );
    expect(new Set(pids).size).toBe(2);
    expect(await portAnswers(facts.port)).toBe(true);
    await db.close();
    expect(await portAnswers(facts.port)).toBe(false);
    expect(fs.existsSync(path.dirname(facts.dataDir))).toBe(false);
  });

  it('keeps data across runs with dataDir, on the given port', async () => {
    const dataDir = path.join(scratchDir(), 'pg');
    const port = await freePort();
    const first = createDatabase({ embedded: { dataDir, port }, logger: 'silent' });
    await sql`create table kept (id int primary key, note text)`.execute(first.kysely);
    await sql`insert into kept values (1, 'survives a restart')`.execute(first.kysely);
    expect((await serverFacts(first)).port).toBe(port);
    await first.close();
    expect(await portAnswers(port)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);

    const second = createDatabase({ embedded: { dataDir }, logger: 'silent' });
    const { rows } = await sql<{ note: string }>`select note from kept where id = 1`.execute(second.kysely);
    expect(rows).toEqual([{ note: 'survives a restart' }]);
    await second.close();
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
  });

  it('refuses a dataDir that holds something else, with a ConfigError naming embedded.dataDir, and writes nothing', async () => {
    const dataDir = scratchDir();
    fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'mine');
    const db = createDatabase({ embedded: { dataDir }, logger: 'silent' });
    const error = await db.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option: 'embedded.dataDir' });
    expect(fs.readdirSync(dataDir)).toEqual(['notes.txt']);
    await db.close();
  });

  it('close() before any query starts nothing', async () => {
    const before = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('data-layer-pg-')).length;
    const db = createDatabase({ embedded: true, logger: 'silent' });
    await db.close();
    expect(fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('data-layer-pg-')).length).toBeLessThanOrEqual(
      before,
    );
  });
});
