import type { Insertable, Selectable, Updateable } from 'kysely';

import type { TableName } from './repository-options.js';

/**
 * The row a read of table `TB` returns (`findById`, `findMany`, `paginate`, ...): each
 * column's select type, so `Generated<number>` is `number`. Kysely's `Selectable<DB[TB]>`
 * under a name that says what it is for.
 *
 * @example
 * ```ts
 * type User = RowOf<DB, 'users'>
 *
 * function greeting(user: User): string {
 *   return `Hello, ${user.name ?? user.email}`
 * }
 * const user: User | undefined = await users.findById(1)
 * ```
 */
export type RowOf<DB, TB extends TableName<DB>> = Selectable<DB[TB]>;

/**
 * What `create` (and `createMany`, `upsert`) of table `TB` takes: generated and defaulted
 * columns are optional, the others required. Kysely's `Insertable<DB[TB]>`.
 *
 * @example
 * ```ts
 * type NewUser = InsertOf<DB, 'users'>
 *
 * const input: NewUser = { email: 'ada@example.com', name: 'Ada', deleted_at: null }
 * const ada = await users.create(input)
 * ```
 */
export type InsertOf<DB, TB extends TableName<DB>> = Insertable<DB[TB]>;

/**
 * What `update` of table `TB` takes: every column optional, columns typed `never` on
 * update left out. Kysely's `Updateable<DB[TB]>`.
 *
 * @example
 * ```ts
 * type UserPatch = UpdateOf<DB, 'users'>
 *
 * const patch: UserPatch = { name: 'Ada Lovelace' }
 * await users.update(1, patch)
 * ```
 */
export type UpdateOf<DB, TB extends TableName<DB>> = Updateable<DB[TB]>;
