import { randomBytes } from 'node:crypto';

import pg from 'pg';

import type { DatabaseOptions } from '../config/options-schema.js';

/**
 * A schema of its own for one test file, so files can run in parallel.
 *
 * @example
 * ```ts
 * const schema: TestSchema = await createTestSchema(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'orders')
 * const db = createDatabase<DB>(schema.options)
 * afterAll(async () => {
 *   await db.close()
 *   await schema.drop()
 * })
 * ```
 */
export interface TestSchema {
  schema: string;
  /** `createDatabase` options pointing at the server with `searchPath` set to the schema. */
  options: DatabaseOptions;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named schema and returns options whose connections use it.
 *
 * @example
 * ```ts
 * const schema = await createTestSchema(process.env.TEST_DATABASE_URL!, 'users')
 * const db = createDatabase(schema.options)
 * afterAll(() => schema.drop())
 * ```
 */
export async function createTestSchema(connectionString: string, label = 'test'): Promise<TestSchema> {
  const safeLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 30);
  const schema = `t_${safeLabel}_${randomBytes(4).toString('hex')}`;
  // The second statement matters only on embedded PGlite, where every connection shares
  // one session that ignores the startup search_path; on a real server it is a no-op
  // for the short-lived connection that runs it.
  await runStatement(connectionString, `create schema "${schema}"; set search_path to "${schema}", public`);
  return {
    schema,
    options: { connectionString, searchPath: [schema, 'public'] },
    drop: () => runStatement(connectionString, `drop schema if exists "${schema}" cascade`),
  };
}

async function runStatement(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
