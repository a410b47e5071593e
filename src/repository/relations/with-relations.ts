import { ValidationError } from '../../errors/application-errors.js';
import { checkInclude } from './check-include.js';
import { loadRelations } from './load-relations.js';
import { type RelationSource, relationSourceOf } from './relation-source.js';
import type { RelationPlan } from './relation-types.js';

type Loose = Record<string, unknown>;

/** Where a read's rows are in its result: the result itself (or undefined), a list, or a page's `items`. */
export type ResultShape = 'one' | 'many' | 'page';

/**
 * Runs a read that may carry `include`, `withCount` and `explain`. The read itself gets
 * the options without them (its middleware sees a plain read, and the cache stores plain
 * rows, so related rows never go stale in the parent's entries); the relations are then
 * loaded by reads of the related repositories, through their own middleware. Without
 * those options this is the read alone.
 */
export async function readWithRelations<T>(
  source: RelationSource,
  options: unknown,
  shape: ResultShape,
  read: (options: unknown) => Promise<unknown>,
): Promise<T> {
  if (!hasRelationOptions(options)) return (await read(options)) as T;
  const { include, withCount, explain, ...rest } = options as Loose;
  if (explain !== undefined && typeof explain !== 'boolean')
    throw new ValidationError(`Invalid explain for "${source.table}": expected a boolean`, [
      { path: ['explain'], message: 'expected a boolean', code: 'invalid_type' },
    ]);
  const level = checkInclude(source.relations, include, withCount, source.table, (relation, path) => {
    const target = relationSourceOf(relation.target(), path.replace(/^(?:.*\.)?include\./, 'relations.'));
    return { relations: target.relations, table: target.table };
  });
  const result = await read(Object.keys(rest).length === 0 ? undefined : rest);
  const plans: RelationPlan[] | undefined = explain === true ? [] : undefined;
  const loaded = await loadRelations(source, rowsOf(result, shape), level, plans);
  const withRelations =
    shape === 'one' ? loaded[0] : shape === 'many' ? loaded : { ...(result as Loose), items: loaded };
  return (plans === undefined ? withRelations : { result: withRelations, explain: plans }) as T;
}

function hasRelationOptions(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  return 'include' in options || 'withCount' in options || 'explain' in options;
}

function rowsOf(result: unknown, shape: ResultShape): Loose[] {
  if (shape === 'one') return result === undefined ? [] : [result as Loose];
  if (shape === 'many') return result as Loose[];
  return (result as { items: Loose[] }).items;
}
