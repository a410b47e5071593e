/**
 * Compile-time checks that the operation table (src/middleware/operations.ts), the
 * `Repository` interface and both implementations name the same operations: adding an
 * operation to one of them without the others fails `npm run typecheck` here.
 * Type-only: nothing is emitted.
 */
import type { OperationKind } from '../middleware/operations.js';
import type { InMemoryRepository } from '../testing/in-memory-repository.js';
import type { BaseRepository } from './base-repository.js';
import type { Repository } from './repository-contract.js';

/** Methods that are conveniences over an operation, not operations of their own. */
type Conveniences = 'getById';
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;

type RepositoryMethods = keyof Repository<object, object, object, unknown, true>;
type FakeMethods = Extract<keyof InMemoryRepository<{ id: number }>, RepositoryMethods>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any table shape: only the method names matter
type SqlMethods = Extract<keyof BaseRepository<any, any>, RepositoryMethods>;

export type OperationCoverage = [
  Expect<Exact<Exclude<RepositoryMethods, Conveniences>, OperationKind>>,
  Expect<Exact<FakeMethods, RepositoryMethods>>,
  Expect<Exact<SqlMethods, RepositoryMethods>>,
];
