import type { OperationKind } from '../middleware/operations.js';
import { SQL_READS, type SqlImplementation } from './sql-reads.js';
import { SQL_WRITES } from './sql-writes.js';

export type { SqlImplementation } from './sql-reads.js';

/**
 * How each operation of the table (src/middleware/operations.ts) runs on PostgreSQL.
 * The annotation makes a new operation a type error here until it has an implementation.
 */
export const SQL_OPERATIONS: Readonly<Record<OperationKind, SqlImplementation>> = { ...SQL_READS, ...SQL_WRITES };
