import { type Compilable, CompiledQuery } from 'kysely';

import type { Condition } from './filter-condition.js';
import type { OrderTerm } from './order-by.js';

/** What changes a statement's text (`key`) and its bound values in compile order (`parameters`). */
export interface StatementShape {
  readonly key: string;
  readonly parameters: readonly unknown[];
}

/** Shapes kept per repository; the least recently used is dropped beyond this. */
const MAX_SHAPES = 256;

/**
 * SQL text per statement shape (operation, filter structure, order, limit presence, ...),
 * so a repeated shape binds its values instead of building and compiling a Kysely tree.
 * A shape is kept only after its first compile proved that `parameters` are exactly the
 * values Kysely bound, in its order; a shape that does not match (a plugin rewriting
 * values, a builder this file does not mirror) is remembered as uncacheable and keeps
 * compiling, so a wrong guess can cost speed but never change a statement.
 */
export class ShapeCache {
  readonly #texts = new Map<string, string | null>();

  compiled(shape: StatementShape, build: () => Compilable<unknown>): CompiledQuery {
    const text = this.#texts.get(shape.key);
    if (typeof text === 'string') {
      // Refresh recency: a Map iterates in insertion order, so the first key is the oldest.
      this.#texts.delete(shape.key);
      this.#texts.set(shape.key, text);
      return CompiledQuery.raw(text, [...shape.parameters]);
    }
    const compiled = build().compile();
    if (text === undefined) {
      if (this.#texts.size >= MAX_SHAPES) this.#texts.delete(this.#texts.keys().next().value as string);
      this.#texts.set(shape.key, sameValues(compiled.parameters, shape.parameters) ? compiled.sql : null);
    }
    return compiled;
  }

  /** How many shapes are kept (for tests). */
  get size(): number {
    return this.#texts.size;
  }
}

/**
 * The shape of `conditions` as `conditionsExpression` (kysely-conditions.ts) compiles
 * them: structure and column names in the key, values in the order they are bound.
 */
export function conditionsShape(conditions: readonly Condition[]): StatementShape {
  const parameters: unknown[] = [];
  const key = conditions.map((condition) => conditionKey(condition, parameters)).join(',');
  return { key: `[${key}]`, parameters };
}

/** Order terms as part of a shape key. */
export function termsKey(terms: readonly OrderTerm[]): string {
  return terms.map((term) => `${JSON.stringify(term.column)} ${term.direction}`).join(',');
}

function conditionKey(condition: Condition, parameters: unknown[]): string {
  switch (condition.op) {
    case 'and':
    case 'or':
      return `${condition.op}(${condition.conditions.map((each) => conditionKey(each, parameters)).join(',')})`;
    case 'not':
      return `not(${conditionKey(condition.condition, parameters)})`;
    case 'null':
    case 'notNull':
      return `${JSON.stringify(condition.column)} ${condition.op}`;
    case 'in':
    case 'notIn':
      parameters.push(...condition.values);
      return `${JSON.stringify(condition.column)} ${condition.op} ${condition.values.length}`;
    case 'between':
      parameters.push(condition.low, condition.high);
      return `${JSON.stringify(condition.column)} between`;
    case 'like':
    case 'ilike':
      parameters.push(condition.pattern);
      return `${JSON.stringify(condition.column)} ${condition.op}`;
    default:
      parameters.push(condition.value);
      return `${JSON.stringify(condition.column)} ${condition.op}`;
  }
}

function sameValues(compiled: readonly unknown[], expected: readonly unknown[]): boolean {
  return compiled.length === expected.length && compiled.every((value, index) => Object.is(value, expected[index]));
}
