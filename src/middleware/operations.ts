/**
 * Every repository operation, defined once. `BaseRepository`, the in-memory fake, the
 * cache and the tenant filter all read this table, so a new operation (or a new argument
 * of one) is added here and nowhere else decides what it is: the cache invalidates after
 * every `write` without a list of its own, the tenant filter stamps every operation that
 * takes `input`, and the type checks in `operation-coverage.ts` fail until both
 * repositories and the `Repository` interface implement it.
 *
 * @example
 * ```ts
 * const definition: OperationDefinition = OPERATIONS.updateMany
 * console.log(definition.access, definition.args) // 'write', ['where', 'patch', 'options']
 * ```
 */
export interface OperationDefinition {
  /** Reads never change rows. After a write the cache invalidates the table. */
  readonly access: 'read' | 'write';
  /** What each positional argument holds, in call order: `operation.args[i]` is `args[i]`. */
  readonly args: readonly OperationArgument[];
  /** Which argument carries new rows (stamped by the tenant filter in rls mode): one row, or a list. */
  readonly input?: 'row' | 'rows';
  /**
   * Reads whose result the cache may store. `exists` is as cheap as a lookup, cursors
   * are bound to their position, and a stream is not a value.
   */
  readonly cacheable?: boolean;
  /**
   * Which rows a write touches: those with a primary key (`id`), those matching a `where`,
   * the one with the upsert's conflict columns, or only new ones.
   */
  readonly targets?: 'id' | 'where' | 'conflict' | 'new';
}

/**
 * The meaning of one positional argument of a repository method.
 *
 * @example
 * ```ts
 * const whereOf = (operation: RepositoryOperation, name: OperationArgument = 'where') =>
 *   argumentOf(operation.kind, operation.args, name)
 * ```
 */
export type OperationArgument = 'id' | 'ids' | 'where' | 'options' | 'input' | 'inputs' | 'patch';

/**
 * Every repository operation and what it is: read or write, its positional arguments, whether
 * it takes new rows, whether the cache may store it, and which rows a write targets. The one
 * table the repositories, the fake, the cache and the tenant filter read.
 *
 * @example
 * ```ts
 * const writes = Object.entries(OPERATIONS).filter(([, definition]) => definition.access === 'write').map(([kind]) => kind)
 * // ['create', 'createMany', 'update', 'updateMany', 'upsert', 'delete', 'hardDelete', 'restore']
 * ```
 */
export const OPERATIONS = {
  findById: { access: 'read', args: ['id', 'options'], cacheable: true },
  findByIds: { access: 'read', args: ['ids', 'options'], cacheable: true },
  findOne: { access: 'read', args: ['where', 'options'], cacheable: true },
  findMany: { access: 'read', args: ['options'], cacheable: true },
  count: { access: 'read', args: ['where', 'options'], cacheable: true },
  exists: { access: 'read', args: ['where', 'options'] },
  paginate: { access: 'read', args: ['options'], cacheable: true },
  paginateByCursor: { access: 'read', args: ['options'] },
  stream: { access: 'read', args: ['where', 'options'] },
  create: { access: 'write', args: ['input'], input: 'row', targets: 'new' },
  createMany: { access: 'write', args: ['inputs'], input: 'rows', targets: 'new' },
  update: { access: 'write', args: ['id', 'patch', 'options'], targets: 'id' },
  updateMany: { access: 'write', args: ['where', 'patch', 'options'], targets: 'where' },
  upsert: { access: 'write', args: ['input', 'options'], input: 'row', targets: 'conflict' },
  delete: { access: 'write', args: ['id', 'options'], targets: 'id' },
  hardDelete: { access: 'write', args: ['id', 'options'], targets: 'id' },
  restore: { access: 'write', args: ['id', 'options'], targets: 'id' },
} as const satisfies Readonly<Record<string, OperationDefinition>>;

/**
 * Every repository operation, by name: what middleware sees as `operation.kind`.
 *
 * @example
 * ```ts
 * const isWrite = (kind: OperationKind) => OPERATIONS[kind].access === 'write'
 * const writes: RepositoryMiddleware = {
 *   name: 'log-writes',
 *   handle: async (operation, next) => {
 *     const result = await next()
 *     if (isWrite(operation.kind)) logger.info({ table: operation.table, kind: operation.kind }, 'write')
 *     return result
 *   },
 * }
 * ```
 */
export type OperationKind = keyof typeof OPERATIONS;

/**
 * The argument of `args` that holds `name` for an operation of `kind` (e.g. the `where`
 * of an `updateMany`), or undefined when the operation has no such argument.
 *
 * @example
 * ```ts
 * const logWhere: RepositoryMiddleware = {
 *   name: 'log-where',
 *   handle: (operation, next) => {
 *     const where = argumentOf(operation.kind, operation.args, 'where') // undefined for findById, create, ...
 *     if (where !== undefined) logger.info({ table: operation.table, where }, operation.kind)
 *     return next()
 *   },
 * }
 * ```
 */
export function argumentOf(kind: OperationKind, args: readonly unknown[], name: OperationArgument): unknown {
  const index = (OPERATIONS[kind].args as readonly OperationArgument[]).indexOf(name);
  return index === -1 ? undefined : args[index];
}
