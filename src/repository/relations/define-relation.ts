import { optionError } from '../../errors/option-error.js';
import type { BelongsTo, HasMany, ManyToMany, RelatableRepository, Relation, ThroughTable } from './relation-types.js';

/**
 * Rows of another repository whose `foreignKey` holds this row's key (a chat's messages).
 * Loaded by `include` with one `= ANY($1)` query for all parents, or one LATERAL query
 * when a per-parent `limit` is asked.
 *
 * @example
 * ```ts
 * const customers = new BaseRepository(db, {
 *   table: 'users',
 *   relations: { orders: hasMany(() => orders, { foreignKey: 'user_id' }) },
 * })
 * const customer = await customers.findById(1, { include: { orders: { limit: 5 } } }) // customer?.orders: Order rows
 * ```
 */
export function hasMany<Row, Relations>(
  target: () => RelatableRepository<Row, Relations>,
  options: {
    /** The related table's column that holds this table's key. */
    readonly foreignKey: keyof Row & string;
    /** This table's column the foreign key refers to. @default the primary key */
    readonly localKey?: string;
  },
): HasMany<Row, Relations> {
  checkTarget(target, 'hasMany');
  checkColumnOption(options?.foreignKey, 'foreignKey', 'hasMany', true);
  checkColumnOption(options.localKey, 'localKey', 'hasMany', false);
  return Object.freeze({ kind: 'hasMany', target, foreignKey: options.foreignKey, localKey: options.localKey });
}

/**
 * The row of another repository this row's `foreignKey` points at (a message's author),
 * or `null`. Loaded with one `= ANY($1)` query for all parents.
 *
 * @example
 * ```ts
 * const ordersWithBuyer = new BaseRepository(db, {
 *   table: 'orders',
 *   relations: { buyer: belongsTo(() => users, { foreignKey: 'user_id' }) },
 * })
 * const order = await ordersWithBuyer.getById(1, { include: { buyer: true } }) // order.buyer: a user row or null
 * ```
 */
export function belongsTo<Row, Relations>(
  target: () => RelatableRepository<Row, Relations>,
  options: {
    /** This table's column that holds the related row's key. */
    readonly foreignKey: string;
    /** The related column the foreign key refers to. @default the related primary key */
    readonly targetKey?: keyof Row & string;
  },
): BelongsTo<Row, Relations> {
  checkTarget(target, 'belongsTo');
  checkColumnOption(options?.foreignKey, 'foreignKey', 'belongsTo', true);
  checkColumnOption(options.targetKey, 'targetKey', 'belongsTo', false);
  return Object.freeze({ kind: 'belongsTo', target, foreignKey: options.foreignKey, targetKey: options.targetKey });
}

/**
 * Rows of another repository linked through a join table (a chat's tags through
 * `chat_tags`). Two statements per load whatever the number of parents: the join rows
 * (`sourceKey = ANY($1)`), then the related rows by primary key.
 *
 * `through` is a table name, read directly (no middleware: a plain join table), or a
 * thunk returning a repository over it, whose middleware then applies (the in-memory
 * fake needs this form).
 *
 * @example
 * ```ts
 * const plans = new BaseRepository(db, { table: 'plans' })
 * const subscribers = new BaseRepository(db, {
 *   table: 'users',
 *   relations: { plans: manyToMany(() => plans, { through: 'user_plans', sourceKey: 'user_id', targetKey: 'plan_id' }) },
 * })
 * const withPlans = await subscribers.findMany({ include: { plans: true }, withCount: ['plans'] })
 * ```
 */
export function manyToMany<Row, Relations>(
  target: () => RelatableRepository<Row, Relations>,
  options: {
    readonly through: ThroughTable;
    /** The join table's column holding this table's primary key. @default `<this table without a trailing s>_id` */
    readonly sourceKey?: string;
    /** The join table's column holding the related primary key. @default `<related table without a trailing s>_id` */
    readonly targetKey?: string;
  },
): ManyToMany<Row, Relations> {
  checkTarget(target, 'manyToMany');
  const through: unknown = options?.through;
  if (!(typeof through === 'function' || (typeof through === 'string' && through !== '')))
    throw optionError('through', 'expected the join table name, or a thunk returning its repository', {
      factory: 'manyToMany()',
    });
  checkColumnOption(options.sourceKey, 'sourceKey', 'manyToMany', false);
  checkColumnOption(options.targetKey, 'targetKey', 'manyToMany', false);
  return Object.freeze({
    kind: 'manyToMany',
    target,
    through: options.through,
    sourceKey: options.sourceKey,
    targetKey: options.targetKey,
  });
}

function checkTarget(target: unknown, factory: Relation['kind']): void {
  if (typeof target !== 'function')
    throw optionError('target', 'expected a thunk returning the related repository, e.g. () => messages', {
      factory: `${factory}()`,
    });
}

function checkColumnOption(value: unknown, option: string, factory: Relation['kind'], required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value === '')
    throw optionError(option, 'expected a column name', { factory: `${factory}()` });
}
