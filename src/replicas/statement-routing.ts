import type { CompiledQuery } from 'kysely';

// Functions that write, take locks or need a primary even inside a SELECT.
const PRIMARY_FUNCTIONS =
  /\b(nextval|setval|pg_(try_)?advisory\w*|pg_notify|txid_current\w*|pg_current_xact_id\w*|pg_current_wal\w*|lo_\w+)\s*\(/i;
const LOCKING_CLAUSE = /\bfor\s+(update|no\s+key\s+update|share|key\s+share)\b/i;
const WRITING_CTE = /\b(insert|update|delete|merge)\b/i;
const READ_TEXT = /^\s*(select|explain)\b/i;

/**
 * Whether a statement may run on a replica: a plain `SELECT` built with Kysely, without
 * a locking clause, a data-modifying CTE or a function that writes or locks. Raw SQL
 * (`sql\`...\``) and everything else run on the primary: a false "no" costs a little
 * primary load, a false "yes" would fail on the replica or read the wrong server's locks.
 */
export function runsOnReplica(query: CompiledQuery): boolean {
  const node = query.query as { kind?: string; with?: unknown } | undefined;
  if (node?.kind !== 'SelectQueryNode') return false;
  if (PRIMARY_FUNCTIONS.test(query.sql) || LOCKING_CLAUSE.test(query.sql)) return false;
  return node.with === undefined || !WRITING_CTE.test(query.sql);
}

/**
 * Whether a statement of a repository read operation may run on a replica: read
 * operations never write, so their raw SQL (the prepared `findById`, `explain`) counts
 * too, as long as it is a SELECT (or EXPLAIN) without locks or writing functions.
 */
export function readOperationRunsOnReplica(query: CompiledQuery): boolean {
  if (runsOnReplica(query)) return true;
  if (!READ_TEXT.test(query.sql)) return false;
  return !PRIMARY_FUNCTIONS.test(query.sql) && !LOCKING_CLAUSE.test(query.sql);
}
