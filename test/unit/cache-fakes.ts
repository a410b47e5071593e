import type { OperationKind, RepositoryDescriptor, RepositoryMiddleware, TransactionHooks } from '../../src/index.js';
import type { CacheHit, CacheStore } from '../../src/middleware/cache/index.js';
import { cloneCacheValue } from '../../src/middleware/cache/index.js';
import { runMiddleware } from '../../src/middleware/run-middleware.js';

export type StoreMethod = 'get' | 'set' | 'getVersion' | 'bumpVersion';

/**
 * A Map-backed `CacheStore` for unit tests that records every call and can be told to
 * answer asynchronously, fail, or hang, per method.
 */
export interface FakeStore extends CacheStore {
  readonly entries: Map<string, unknown>;
  readonly versions: Map<string, string>;
  readonly calls: Array<{ method: StoreMethod; key: string }>;
  /** Methods that throw (synchronously, or reject when `async`). */
  readonly failing: Set<StoreMethod>;
  /** Methods that never settle. */
  readonly hanging: Set<StoreMethod>;
  /** Answer with promises instead of values. */
  async: boolean;
  /** Runs (and is awaited) before `set` stores anything. */
  beforeSet: ((key: string) => Promise<void>) | undefined;
  count(method: StoreMethod): number;
}

export function fakeStore(): FakeStore {
  const entries = new Map<string, unknown>();
  const versions = new Map<string, string>();
  const calls: FakeStore['calls'] = [];
  let sequence = 0;
  const store: FakeStore = {
    name: 'fake',
    entries,
    versions,
    calls,
    failing: new Set(),
    hanging: new Set(),
    async: false,
    beforeSet: undefined,
    count: (method) => calls.filter((call) => call.method === method).length,
    get: (key) =>
      answer('get', key, (): CacheHit | undefined =>
        entries.has(key) ? { value: cloneCacheValue(entries.get(key)) } : undefined,
      ),
    set: (key, value) => {
      const copy = cloneCacheValue(value);
      const beforeSet = store.beforeSet;
      if (beforeSet === undefined) return answer('set', key, () => void entries.set(key, copy));
      calls.push({ method: 'set', key });
      return beforeSet(key).then(() => void entries.set(key, copy));
    },
    getVersion: (key) => answer('getVersion', key, () => versions.get(key) ?? bump(key)),
    bumpVersion: (key) => answer('bumpVersion', key, () => bump(key)),
  };
  const bump = (key: string) => {
    const token = `v${++sequence}`;
    versions.set(key, token);
    return token;
  };
  function answer<T>(method: StoreMethod, key: string, work: () => T): T | Promise<T> {
    calls.push({ method, key });
    if (store.hanging.has(method)) return new Promise<T>(() => {});
    if (store.failing.has(method)) {
      const error = new Error(`fake store: ${method} failed`);
      if (store.async) return Promise.reject(error);
      throw error;
    }
    return store.async ? Promise.resolve().then(work) : work();
  }
  return store;
}

export const peopleDescriptor: RepositoryDescriptor = Object.freeze({
  table: 'people',
  primaryKey: 'id',
  softDelete: 'deleted_at',
  tenantColumn: undefined,
});

export interface RunInit {
  kind: OperationKind;
  args: unknown[];
  repository?: RepositoryDescriptor;
  scope?: Record<string, unknown>;
  transaction?: TransactionHooks;
}

/** Runs one operation through `[scope contributor, ...middleware]` the way repositories do. */
export function run(
  middleware: readonly RepositoryMiddleware[],
  init: RunInit,
  execute: () => unknown,
): Promise<unknown> {
  const chain = init.scope === undefined ? middleware : [{ name: 'scope', scope: () => init.scope }, ...middleware];
  return runMiddleware(
    chain,
    {
      kind: init.kind,
      args: init.args,
      repository: init.repository ?? peopleDescriptor,
      transaction: () => init.transaction,
    },
    async () => execute(),
  );
}

/** A transaction stand-in: hooks run on `commit()`, are dropped on `rollback()`. */
export function fakeTransaction(): TransactionHooks & {
  commit(): Promise<void>;
  rollback(): void;
  readonly pending: number;
} {
  let hooks: Array<() => void | Promise<void>> = [];
  return {
    afterCommit: (hook) => void hooks.push(hook),
    afterRollback: () => {},
    get pending() {
      return hooks.length;
    },
    async commit() {
      const run = hooks;
      hooks = [];
      for (const hook of run) await hook();
    },
    rollback() {
      hooks = [];
    },
  };
}

/** A silent logger that records warnings. */
export function warnings(): {
  warn(fields: object, message?: string): void;
  lines: Array<{ fields: object; message: string | undefined }>;
} {
  const lines: Array<{ fields: object; message: string | undefined }> = [];
  return { lines, warn: (fields, message) => void lines.push({ fields, message }) };
}
