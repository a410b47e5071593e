import { type Generated, type Kysely, sql } from 'kysely';

import type { Database } from '../../../src/index.js';

export interface NotesTable {
  id: Generated<number>;
  body: string;
}

export interface NotesDB {
  notes: NotesTable;
}

/** Which server answered: `replica` when it is in recovery. */
export async function servedBy(kysely: Kysely<NotesDB>): Promise<'replica' | 'primary'> {
  const row = await kysely.selectNoFrom(sql<boolean>`pg_is_in_recovery()`.as('recovery')).executeTakeFirstOrThrow();
  return row.recovery ? 'replica' : 'primary';
}

/** The port of the server that answered a plain SELECT. */
export async function servingPort(db: Database<NotesDB>): Promise<number> {
  const row = await db.kysely.selectNoFrom(sql<number>`inet_server_port()`.as('port')).executeTakeFirstOrThrow();
  return row.port;
}

/** Creates `notes` on the primary and waits until the replica (by URL) has it. */
export async function createNotesTable(db: Database<NotesDB>): Promise<void> {
  await sql`create table notes (id serial primary key, body text not null)`.execute(db.kysely);
}

export async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
