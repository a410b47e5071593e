import type { OperationKind } from '../middleware/operations.js';
import type { MemoryImplementation } from './in-memory-queries.js';
import { MEMORY_READS } from './in-memory-reads.js';
import { MEMORY_WRITES } from './in-memory-writes.js';

/**
 * How each operation of the table (src/middleware/operations.ts) runs in the in-memory
 * fake; the twin of SQL_OPERATIONS. The annotation makes a new operation a type error here
 * until the fake implements it.
 */
export const MEMORY_OPERATIONS: Readonly<Record<OperationKind, MemoryImplementation>> = {
  ...MEMORY_READS,
  ...MEMORY_WRITES,
};
