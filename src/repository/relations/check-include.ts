import { ValidationError } from '../../errors/application-errors.js';
import { checkedLimit } from '../paging-limits.js';
import type { Relation } from './relation-types.js';

/** One included relation, checked: what the loader reads. */
export interface IncludeNode {
  readonly name: string;
  readonly relation: Relation;
  readonly where: unknown;
  readonly orderBy: unknown;
  readonly limit: number | undefined;
  readonly level: IncludeLevel;
}

/** The includes and counts asked for on one level of rows. */
export interface IncludeLevel {
  readonly include: readonly IncludeNode[];
  readonly withCount: readonly string[];
}

const OPTION_KEYS = new Set(['where', 'orderBy', 'limit', 'include', 'withCount']);

/**
 * Checks the shape of `include` and `withCount` against the declared relations, at every
 * level, before any query: an unknown relation or option, a `limit` on a belongsTo, or a
 * count of a belongsTo is a `ValidationError` naming the path. Nested levels resolve the
 * related repository's relations through `relationsOf`.
 */
export function checkInclude(
  relations: Readonly<Record<string, Relation>>,
  include: unknown,
  withCount: unknown,
  table: string,
  relationsOf: (relation: Relation, path: string) => { relations: Readonly<Record<string, Relation>>; table: string },
  path = '',
): IncludeLevel {
  const nodes: IncludeNode[] = [];
  if (include !== undefined) {
    if (!isPlainObject(include))
      throw invalid(`${path}include`, table, 'expected an object of relation name → true or options');
    for (const [name, value] of Object.entries(include)) {
      const where = `${path}include.${name}`;
      const relation = Object.hasOwn(relations, name) ? relations[name] : undefined;
      if (relation === undefined)
        throw new ValidationError(`Unknown relation "${name}" in ${path}include for "${table}"`, [
          { path: where.split('.'), message: `"${table}" has no relation "${name}"`, code: 'unknown_relation' },
        ]);
      const options = value === true ? {} : value;
      if (!isPlainObject(options))
        throw invalid(where, table, 'expected true or { where, orderBy, limit, include, withCount }');
      for (const key of Object.keys(options))
        if (!OPTION_KEYS.has(key)) throw invalid(`${where}.${key}`, table, 'unknown include option');
      const toMany = relation.kind !== 'belongsTo';
      for (const key of ['limit', 'orderBy'] as const)
        if (!toMany && options[key] !== undefined)
          throw invalid(`${where}.${key}`, table, `a belongsTo has one row: no ${key}`);
      const limit =
        options.limit === undefined
          ? undefined
          : checkedLimit(options.limit, `${where}.limit`, Number.MAX_SAFE_INTEGER, 0);
      const nested = relationsOf(relation, where);
      nodes.push({
        name,
        relation,
        where: options.where,
        orderBy: options.orderBy,
        limit,
        level: checkInclude(
          nested.relations,
          options.include,
          options.withCount,
          nested.table,
          relationsOf,
          `${where}.`,
        ),
      });
    }
  }
  return { include: nodes, withCount: checkedCounts(relations, withCount, table, path) };
}

function checkedCounts(
  relations: Readonly<Record<string, Relation>>,
  withCount: unknown,
  table: string,
  path: string,
): string[] {
  if (withCount === undefined) return [];
  if (!Array.isArray(withCount)) throw invalid(`${path}withCount`, table, 'expected an array of relation names');
  return withCount.map((name: unknown) => {
    const relation = typeof name === 'string' && Object.hasOwn(relations, name) ? relations[name] : undefined;
    if (relation === undefined || relation.kind === 'belongsTo')
      throw new ValidationError(`withCount names "${String(name)}", which is not a to-many relation of "${table}"`, [
        { path: [`${path}withCount`], message: 'expected a hasMany or manyToMany relation', code: 'unknown_relation' },
      ]);
    return name as string;
  });
}

function invalid(path: string, table: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${path} for "${table}": ${message}`, [
    { path: path.split('.'), message, code: 'invalid_include' },
  ]);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
