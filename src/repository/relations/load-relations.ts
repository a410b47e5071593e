import { ConfigError } from '../../errors/application-errors.js';
import type { IncludeLevel, IncludeNode } from './check-include.js';
import { type RelationSource, relationSourceOf, type SqlSink } from './relation-source.js';
import type { Relation, RelationPlan } from './relation-types.js';

type Loose = Record<string, unknown>;

/**
 * Loads one level of includes and counts onto `rows` (copies, never the given objects),
 * then the levels below. Whatever the number of rows: one statement per relation and
 * level (two for a `manyToMany`), never one per row; every read goes through the related
 * repository's middleware chain, as a direct read of that repository would.
 */
export async function loadRelations(
  source: RelationSource,
  rows: readonly Loose[],
  level: IncludeLevel,
  plans: RelationPlan[] | undefined,
  prefix = '',
): Promise<Loose[]> {
  const out = rows.map((row) => ({ ...row }));
  if (level.include.length === 0 && level.withCount.length === 0) return out;
  const columns = await source.columns();
  for (const node of level.include) {
    if (columns.has(node.name)) throw nameTaken(source, node.name);
    const target = targetOf(node.relation, `relations.${node.name}`);
    await target.checkRead(node.where, node.orderBy);
    const load = LOADERS[node.relation.kind];
    await load({ source, target, node, rows: out, plans, path: `${prefix}${node.name}` });
  }
  for (const name of level.withCount) {
    if (columns.has(`${name}Count`)) throw nameTaken(source, `${name}Count`);
    await loadCount(source, name, out, plans, prefix);
  }
  return out;
}

interface LoadContext {
  readonly source: RelationSource;
  readonly target: RelationSource;
  readonly node: IncludeNode;
  /** The parent rows (copies), which get the relation's key. */
  readonly rows: Loose[];
  readonly plans: RelationPlan[] | undefined;
  readonly path: string;
}

const LOADERS: Record<Relation['kind'], (context: LoadContext) => Promise<void>> = {
  hasMany: loadHasMany,
  belongsTo: loadBelongsTo,
  manyToMany: loadManyToMany,
};

async function loadHasMany({ source, target, node, rows, plans, path }: LoadContext): Promise<void> {
  const option = `relations.${node.name}`;
  const localKey = node.relation.localKey ?? source.primaryKey;
  const foreignKey = node.relation.foreignKey as string;
  await assertColumn(source, localKey, `${option}.localKey`);
  await assertColumn(target, foreignKey, `${option}.foreignKey`);
  const keys = distinctKeys(rows, localKey);
  const lateral = node.limit !== undefined;
  const plan = planner(plans, path, 'hasMany', target.table, keys.length);
  const related =
    keys.length === 0
      ? []
      : await target.read(
          { column: foreignKey, keys, where: node.where, orderBy: node.orderBy, limit: node.limit },
          plan.sink,
        );
  plan.done(
    lateral ? 'lateral' : 'any',
    lateral
      ? `limit ${node.limit} per parent: the top ${node.limit} rows per key chosen in SQL, one LATERAL subquery over the ${keys.length} keys`
      : `one query for the ${keys.length} parent keys: ${foreignKey} = ANY($1)`,
  );
  const loaded = await loadRelations(target, related, node.level, plans, `${path}.`);
  const groups = groupBy(loaded, foreignKey);
  for (const row of rows) row[node.name] = groups.get(keyText(row[localKey])) ?? [];
}

async function loadBelongsTo({ source, target, node, rows, plans, path }: LoadContext): Promise<void> {
  const option = `relations.${node.name}`;
  const foreignKey = node.relation.foreignKey as string;
  const targetKey = node.relation.targetKey ?? target.primaryKey;
  await assertColumn(source, foreignKey, `${option}.foreignKey`);
  await assertColumn(target, targetKey, `${option}.targetKey`);
  const keys = distinctKeys(rows, foreignKey);
  const plan = planner(plans, path, 'belongsTo', target.table, keys.length);
  const related = keys.length === 0 ? [] : await target.read({ column: targetKey, keys, where: node.where }, plan.sink);
  plan.done('any', `one query for the ${keys.length} distinct foreign keys: ${targetKey} = ANY($1)`);
  const loaded = await loadRelations(target, related, node.level, plans, `${path}.`);
  const byKey = new Map(loaded.map((row) => [keyText(row[targetKey]), row]));
  for (const row of rows) {
    const key = row[foreignKey];
    row[node.name] = key === null || key === undefined ? null : (byKey.get(keyText(key)) ?? null);
  }
}

async function loadManyToMany({ source, target, node, rows, plans, path }: LoadContext): Promise<void> {
  const links = await throughLinks(source, target, node.relation, rows, plans, path, `relations.${node.name}`);
  const plan = planner(plans, path, 'manyToMany', target.table, links.targetKeys.length);
  const related =
    links.targetKeys.length === 0
      ? []
      : await target.read(
          { column: target.primaryKey, keys: links.targetKeys, where: node.where, orderBy: node.orderBy },
          plan.sink,
        );
  plan.done('any', `one query for the ${links.targetKeys.length} linked keys: ${target.primaryKey} = ANY($1)`);
  const loaded = await loadRelations(target, related, node.level, plans, `${path}.`);
  // In the related rows' order, each under every parent that links to it.
  const perParent = new Map<string, Loose[]>();
  for (const row of loaded) {
    for (const parent of links.parentsOf.get(keyText(row[target.primaryKey])) ?? []) {
      const list = perParent.get(parent) ?? [];
      list.push({ ...row });
      perParent.set(parent, list);
    }
  }
  for (const row of rows) row[node.name] = perParent.get(keyText(row[source.primaryKey])) ?? [];
}

/** The join rows of a manyToMany: for each related key, the parents linking to it. */
async function throughLinks(
  source: RelationSource,
  target: RelationSource,
  relation: Relation,
  rows: readonly Loose[],
  plans: RelationPlan[] | undefined,
  path: string,
  option: string,
): Promise<{ targetKeys: unknown[]; parentsOf: Map<string, string[]> }> {
  const sourceKey = relation.sourceKey ?? `${singular(source.table)}_id`;
  const targetKey = relation.targetKey ?? `${singular(target.table)}_id`;
  const keys = distinctKeys(rows, source.primaryKey);
  const through = relation.through;
  const throughSource = typeof through === 'function' ? relationSourceOf(through(), `${option}.through`) : undefined;
  if (throughSource !== undefined) {
    await assertColumn(throughSource, sourceKey, `${option}.sourceKey`);
    await assertColumn(throughSource, targetKey, `${option}.targetKey`);
  }
  const table = throughSource?.table ?? (through as string);
  const plan = planner(plans, `${path} (through)`, 'manyToMany', table, keys.length);
  let links: Loose[] = [];
  if (keys.length > 0)
    links =
      throughSource === undefined
        ? await source.readThrough({ table, sourceKey, targetKey, keys }, plan.sink)
        : await throughSource.read({ column: sourceKey, keys }, plan.sink);
  plan.done('any', `the join rows of "${table}" for the ${keys.length} parent keys: ${sourceKey} = ANY($1)`);
  const parentsOf = new Map<string, string[]>();
  const targetKeys: unknown[] = [];
  for (const link of links) {
    const related = link[targetKey];
    if (related === null || related === undefined) continue;
    const text = keyText(related);
    if (!parentsOf.has(text)) targetKeys.push(related);
    const parents = parentsOf.get(text) ?? [];
    parents.push(keyText(link[sourceKey]));
    parentsOf.set(text, parents);
  }
  return { targetKeys, parentsOf };
}

async function loadCount(
  source: RelationSource,
  name: string,
  rows: Loose[],
  plans: RelationPlan[] | undefined,
  prefix: string,
): Promise<void> {
  const relation = source.relations[name] as Relation;
  const option = `relations.${name}`;
  const target = targetOf(relation, option);
  const path = `${prefix}${name}Count`;
  const counts = new Map<string, number>();
  if (relation.kind === 'hasMany') {
    const localKey = relation.localKey ?? source.primaryKey;
    const foreignKey = relation.foreignKey as string;
    await assertColumn(source, localKey, `${option}.localKey`);
    await assertColumn(target, foreignKey, `${option}.foreignKey`);
    const keys = distinctKeys(rows, localKey);
    const plan = planner(plans, path, 'hasMany', target.table, keys.length);
    const found = keys.length === 0 ? [] : await target.count({ column: foreignKey, keys }, plan.sink);
    plan.done('count', `counted in SQL: count(*) grouped by ${foreignKey} where ${foreignKey} = ANY($1)`);
    for (const { key, count } of found) counts.set(keyText(key), count);
    for (const row of rows) row[`${name}Count`] = counts.get(keyText(row[localKey])) ?? 0;
    return;
  }
  // manyToMany: links whose related row is visible (scope, soft delete) to the related repository.
  const links = await throughLinks(source, target, relation, rows, plans, path, option);
  const plan = planner(plans, path, 'manyToMany', target.table, links.targetKeys.length);
  const found =
    links.targetKeys.length === 0
      ? []
      : await target.count({ column: target.primaryKey, keys: links.targetKeys }, plan.sink);
  plan.done('count', `counted in SQL: the visible linked rows, grouped by ${target.primaryKey} = ANY($1)`);
  for (const { key } of found)
    for (const parent of links.parentsOf.get(keyText(key)) ?? []) counts.set(parent, (counts.get(parent) ?? 0) + 1);
  for (const row of rows) row[`${name}Count`] = counts.get(keyText(row[source.primaryKey])) ?? 0;
}

function targetOf(relation: Relation, option: string): RelationSource {
  return relationSourceOf(relation.target(), option);
}

async function assertColumn(source: RelationSource, column: string, option: string): Promise<void> {
  if (!(await source.columns()).has(column))
    throw new ConfigError(
      `Relation option "${option}" names column "${column}", which table "${source.table}" does not have`,
      {
        option,
      },
    );
}

function nameTaken(source: RelationSource, name: string): ConfigError {
  return new ConfigError(
    `Relation "${name}" of "${source.table}" has the name of one of its columns: rename the relation`,
    {
      option: `relations.${name}`,
    },
  );
}

/** The distinct non-null values of `column`, in first-seen order. */
function distinctKeys(rows: readonly Loose[], column: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const row of rows) {
    const value = row[column];
    if (value !== null && value !== undefined && !seen.has(keyText(value))) seen.set(keyText(value), value);
  }
  return [...seen.values()];
}

function groupBy(rows: readonly Loose[], column: string): Map<string, Loose[]> {
  const groups = new Map<string, Loose[]>();
  for (const row of rows) {
    const key = keyText(row[column]);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

/**
 * A key's identity across the parent and related side: an int4 id (number) equals an int8
 * foreign key read as a string or a bigint, as in SQL.
 */
export function keyText(value: unknown): string {
  if (value instanceof Date) return `d:${value.getTime()}`;
  if (value instanceof Uint8Array) return `x:${Buffer.from(value).toString('hex')}`;
  return `v:${String(value)}`;
}

function singular(table: string): string {
  const name = table.slice(table.lastIndexOf('.') + 1);
  return name.endsWith('s') ? name.slice(0, -1) : name;
}

/** Records one relation's plan when `explain` asked for plans. */
function planner(
  plans: RelationPlan[] | undefined,
  path: string,
  kind: Relation['kind'],
  table: string,
  keys: number,
): { sink: SqlSink; done(strategy: RelationPlan['strategy'], reason: string): void } {
  let sql: string | undefined;
  return {
    sink: (text) => void (sql = text),
    done(strategy, reason) {
      if (plans === undefined) return;
      const why =
        keys === 0
          ? 'no parent keys: nothing to load, no statement'
          : sql === undefined
            ? `${reason} (answered by middleware, e.g. the cache: no statement ran)`
            : reason;
      plans.push({ path, kind, table, strategy, reason: why, sql, keys });
    },
  };
}
