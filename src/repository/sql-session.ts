import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { SessionControl } from '../middleware/repository-middleware.js';

/** Session control for middleware of SQL repositories (the tenant filter's RLS mode). */
export function sqlSession<DB>(db: Database<DB>): SessionControl {
  return {
    // Inside an ambient transaction the work joins it; otherwise it gets its own.
    inTransaction: (work) => (db.currentTransaction() ? work() : db.transaction(work)),
    setLocal: async (name, value) => {
      await sql`select set_config(${name}, ${value}, true)`.execute(db.kysely);
    },
  };
}
