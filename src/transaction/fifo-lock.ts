/**
 * A first-come, first-served lock. Ownership passes directly from `release()` to the
 * next waiter, so nobody can cut in between. Hand-written: it is a dozen lines and the
 * direct hand-off (which keeps statement order exact) is the point.
 */
export class FifoLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  get held(): boolean {
    return this.#held;
  }

  /** Resolves once the caller owns the lock; callers in the same tick are served in call order. */
  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Takes the lock now if it is free (no waiter can exist then); false if it is held. */
  tryAcquire(): boolean {
    if (this.#held) return false;
    this.#held = true;
    return true;
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }
}
