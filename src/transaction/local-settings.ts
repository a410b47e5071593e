import { CompiledQuery } from 'kysely';

import type { PgConnection } from '../driver/pg-connection.js';

/**
 * What one transaction scope knows about its transaction-local settings
 * (`set_config(name, value, true)`), so a value is sent once per scope and never
 * outlives the scope that set it.
 *
 * The hazard it exists for: PostgreSQL keeps a local setting made inside a savepoint
 * after `RELEASE SAVEPOINT` (only `ROLLBACK TO` undoes it). So a nested scope that sets
 * `app.tenant_id` to B would leave B in force for the outer scope's later statements,
 * raw SQL included. Of the ways out (send the setting before every statement; track the
 * real value per connection; restore on scope exit) this is the third, with tracking to
 * skip repeats: a nested scope records the value in force before its first change and
 * puts it back just before its RELEASE, in the same savepoint, so a failed restore is
 * undone by the ROLLBACK TO that follows. Cost: nothing for scopes that change no
 * setting, one statement at the end of a savepoint that did.
 *
 * A value counts as known only once its `set_config` completed, and a newer call
 * forgets it until that one completes: statements of one connection run in the order
 * they were queued, so a known value is in force for whatever this scope queues next
 * (nested scopes put theirs back). Settings changed by hand-written SQL are not seen:
 * change them with `tx.setLocal()`.
 */
export class LocalSettings {
  // The maps are made on first use: most scopes never change a setting, and a scope
  // that inherits nothing known has nothing to copy.
  #known: Map<string, string> | undefined;
  #version: Map<string, number> | undefined;
  /** Nested scopes only: the value each changed setting had before this scope changed it. */
  #previous: Map<string, string | null> | undefined;
  readonly #nested: boolean;

  constructor(inherited: LocalSettings | undefined) {
    const known = inherited === undefined ? undefined : inherited.#known;
    this.#known = known === undefined || known.size === 0 ? undefined : new Map(known);
    this.#nested = inherited !== undefined;
  }

  /** The value in force for this scope's next statement, when known. */
  get(name: string): string | undefined {
    return this.#known?.get(name);
  }

  /** Whether this (nested) scope changed a setting, so `toRestore` may have work. */
  get changed(): boolean {
    return this.#previous !== undefined && this.#previous.size > 0;
  }

  /** Whether the first change of `name` must also read the value to restore (not known). */
  needsPrevious(name: string): boolean {
    return this.#nested && !this.#previous?.has(name) && !this.#known?.has(name);
  }

  /** A change is being sent: the value is unknown until `settle` of the latest one. */
  begin(name: string): (value: string) => void {
    const versions = (this.#version ??= new Map<string, number>());
    const version = (versions.get(name) ?? 0) + 1;
    versions.set(name, version);
    const known = this.#known;
    if (this.#nested && !this.#previous?.has(name) && known?.has(name))
      (this.#previous ??= new Map<string, string | null>()).set(name, known.get(name) ?? null);
    known?.delete(name);
    return (value) => {
      if (versions.get(name) === version) (this.#known ??= new Map<string, string>()).set(name, value);
    };
  }

  /** The value read from the server just before this scope's first change of `name`. */
  rememberPrevious(name: string, value: string | null): void {
    if (this.#nested && !this.#previous?.has(name))
      (this.#previous ??= new Map<string, string | null>()).set(name, value);
  }

  /** Settings to put back before this (nested) scope is released, with their values. */
  toRestore(): Array<[name: string, value: string | null]> {
    if (this.#previous === undefined) return [];
    return [...this.#previous].filter(([name, value]) => value === null || this.#known?.get(name) !== value);
  }
}

const SET_LOCAL = 'select set_config($1, $2, true)';
// The subquery (OFFSET 0 keeps it from being flattened) is evaluated before the outer
// projection, so `previous` is read before set_config changes it: one round trip.
const SET_LOCAL_READING_PREVIOUS =
  'select p.previous, set_config($1, $2, true) from (select current_setting($1, true) as previous offset 0) p';

/** A transaction-local setting that statements must run with (see `statementSettings`). */
export interface StatementSetting {
  readonly name: string;
  readonly value: string;
}

/**
 * What every statement of a transaction must see in the current async context, asked
 * before each statement (the tenant filter's rls mode answers with the current tenant).
 */
export type StatementSettings = () => readonly StatementSetting[];

/** The part of a transaction scope these helpers use (its settings and its connection). */
export interface SettingsScope {
  readonly locals: LocalSettings;
  readonly connection: PgConnection;
  readonly statementSettings: StatementSettings | undefined;
}

/**
 * Queues `set_config(name, value, true)` on the scope's connection synchronously, without
 * taking the scope's lock (the caller holds its turn), and records it in `scope.locals`.
 */
export function queueSetLocal(scope: SettingsScope, name: string, value: string): Promise<void> {
  const { locals } = scope;
  const readPrevious = locals.needsPrevious(name);
  const settle = locals.begin(name);
  const sent = scope.connection.executeQuery<{ previous: string | null }>(
    CompiledQuery.raw(readPrevious ? SET_LOCAL_READING_PREVIOUS : SET_LOCAL, [name, value]),
  );
  return sent.then(({ rows }) => {
    if (readPrevious) locals.rememberPrevious(name, rows[0]?.previous ?? null);
    settle(value);
  });
}

/**
 * Queues what the current context needs before a statement of `scope` (the caller holds
 * its turn): a `set_config` for each setting whose value is not the one in force. Cheap
 * when nothing differs: one call and a map lookup per setting.
 */
export function queueStatementSettings(scope: SettingsScope): Promise<void> | undefined {
  const wanted = scope.statementSettings?.();
  if (wanted === undefined) return undefined;
  let queued: Array<Promise<void>> | undefined;
  for (const { name, value } of wanted) {
    if (scope.locals.get(name) !== value) (queued ??= []).push(queueSetLocal(scope, name, value));
  }
  return queued && Promise.all(queued).then(() => undefined);
}

/**
 * Puts back the settings a nested scope changed, before its RELEASE (the caller holds
 * the parent's lock, so nothing else runs in between). A null value resets the setting.
 */
export async function restoreLocalSettings(connection: PgConnection, locals: LocalSettings): Promise<void> {
  for (const [name, value] of locals.toRestore()) {
    await connection.executeQuery(CompiledQuery.raw(SET_LOCAL, [name, value]));
  }
}
