import { ValidationError } from '../errors/application-errors.js';
import { assertPatchNotEmpty, assertValue } from './input-rules.js';
import { assertVersionNotPatched } from './optimistic-lock.js';
import { type InputSchemas, validateInput } from './validate-input.js';
import { assertColumn, sqlEquals } from './where-filter.js';

export interface InputContext {
  table: string;
  columns: ReadonlySet<string>;
  /** Middleware scope (tenant, ...): stamped onto inserts, never changeable by input. */
  scope: Readonly<Record<string, unknown>>;
  schemas: InputSchemas | undefined;
  /** The primary key: an update may not change it. */
  primaryKey: string;
  /** The optimistic-lock column: the repository increments it, a patch may not set it. */
  version?: string | undefined;
}

/** Validated insert values: schema-parsed, known columns only, scope stamped. */
export function prepareInsert(input: unknown, context: InputContext): Record<string, unknown> {
  const row = knownColumns(validateInput(context.schemas?.create, input, `"${context.table}" input`), context, 'input');
  for (const [column, value] of Object.entries(context.scope)) {
    if (Array.isArray(value)) {
      // An IN scope names several allowed values: the input must pick one of them.
      if (!(column in row)) {
        throw new ValidationError(`"${context.table}.${column}" must be one of the values of the current scope`, [
          { path: [column], message: 'required by the current scope', code: 'scope_violation' },
        ]);
      }
      rejectOtherScope(row, column, value, context.table);
      continue;
    }
    rejectOtherScope(row, column, value, context.table);
    row[column] = value;
  }
  return row;
}

/**
 * Validated update values: schema-parsed, known columns only, values of the columns' types,
 * not empty, the primary key unchanged (`id` is the updated row's; undefined for many rows),
 * scope columns unchanged.
 */
export function preparePatch(input: unknown, context: InputContext, id?: unknown): Record<string, unknown> {
  const patch = withoutKeyChange(
    knownColumns(validateInput(context.schemas?.update, input, `"${context.table}" patch`), context, 'patch'),
    context.primaryKey,
    id,
    context.table,
  );
  assertPatchNotEmpty(patch, context.table);
  assertVersionNotPatched(patch, context);
  for (const [column, value] of Object.entries(context.scope)) {
    if (!(column in patch)) continue;
    rejectOtherScope(patch, column, value, context.table);
    delete patch[column]; // same value: nothing to change
  }
  return patch;
}

function knownColumns(input: object, context: InputContext, where: 'input' | 'patch'): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(input)) {
    assertColumn(column, context.columns, context.table, where);
    // An undefined value means "not given", as in Kysely and Prisma; every other value is checked.
    if (value === undefined) continue;
    assertValue(value, column, context.columns, context.table, where);
    values[column] = value;
  }
  return values;
}

function rejectOtherScope(values: Record<string, unknown>, column: string, scoped: unknown, table: string): void {
  if (!(column in values)) return;
  const given = values[column];
  const allowed = Array.isArray(scoped) ? scoped.some((each) => sqlEquals(given, each)) : sqlEquals(given, scoped);
  if (!allowed) {
    throw new ValidationError(`"${table}.${column}" is fixed by the current scope and cannot be set to another value`, [
      { path: [column], message: 'outside the current scope', code: 'scope_violation' },
    ]);
  }
}

/**
 * The primary key cannot be changed through an update: the same value is dropped (nothing
 * to change), another value is refused. For many-row updates (`id` undefined) it is always refused.
 */
export function withoutKeyChange(
  patch: Record<string, unknown>,
  primaryKey: string,
  id: unknown,
  table: string,
): Record<string, unknown> {
  if (!(primaryKey in patch)) return patch;
  if (id !== undefined && sqlEquals(patch[primaryKey], id)) {
    const { [primaryKey]: _same, ...rest } = patch;
    return rest;
  }
  throw new ValidationError(`The primary key "${table}.${primaryKey}" cannot be changed by an update`, [
    {
      path: [primaryKey],
      message: 'the primary key cannot be changed',
      code: 'primary_key_change',
      column: primaryKey,
    },
  ]);
}
