/**
 * A value loaded once, on first use, and shared by concurrent callers. A failed load is
 * forgotten, so a transient failure (a dropped connection at start-up) does not stick.
 */
export class CachedLoad<T> {
  readonly #load: () => Promise<T>;
  #value: T | undefined;
  #loading: Promise<T> | undefined;

  constructor(load: () => Promise<T>) {
    this.#load = load;
  }

  /** The loaded value, once a load has succeeded: the synchronous fast path. */
  get value(): T | undefined {
    return this.#value;
  }

  get(): Promise<T> {
    this.#loading ??= this.#load().then(
      (value) => (this.#value = value),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}
