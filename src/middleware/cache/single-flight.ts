interface Flight {
  followers: number;
  /** Settles with the value followers copy from (a snapshot taken before anyone saw the value). */
  shared: Promise<unknown>;
}

/** What `SingleFlight.run` hands back: the result, and whether this call did the work. */
export interface FlightResult<T> {
  /** True for the call that ran `work`; false for calls that joined it. */
  readonly leader: boolean;
  readonly result: Promise<T>;
}

/**
 * Coalesces concurrent work per key, in process: while `work` for a key runs, further
 * calls for that key wait for it instead of running their own. The caller that ran `work`
 * gets its value; every caller that joined gets its own `copy` of a snapshot taken the
 * moment the value arrived, so no two callers share (and can mutate) one object. A
 * rejection reaches every caller. The key is free again once the work settled.
 *
 * ```ts
 * const flights = new SingleFlight()
 * const { result } = flights.run(`user:${id}`, () => loadUser(id), structuredClone)
 * const user = await result
 * ```
 */
export class SingleFlight {
  readonly #flights = new Map<string, Flight>();

  /** Keys with work running now. */
  get size(): number {
    return this.#flights.size;
  }

  /** Runs `work` for `key`, or joins the work already running for it. */
  run<T>(key: string, work: () => Promise<T>, copy: (value: T) => T): FlightResult<T> {
    const joined = this.join(key, copy);
    return joined === undefined
      ? { leader: true, result: this.#lead(key, work, copy) }
      : { leader: false, result: joined };
  }

  /** A copy of the result of the work running for `key`, or `undefined` when none runs. */
  join<T>(key: string, copy: (value: T) => T): Promise<T> | undefined {
    const running = this.#flights.get(key);
    if (running === undefined) return undefined;
    running.followers++;
    return running.shared.then((snapshot) => copy(snapshot as T));
  }

  #lead<T>(key: string, work: () => Promise<T>, copy: (value: T) => T): Promise<T> {
    const flight: Flight = { followers: 0, shared: Promise.resolve() };
    this.#flights.set(key, flight);
    const result = (async () => {
      try {
        return await work();
      } finally {
        // Before anyone sees the value: nobody can join a flight whose snapshot is taken.
        this.#flights.delete(key);
      }
    })();
    // Registered before the leader's own continuation, so it runs before the leader's
    // caller can touch the value.
    flight.shared = result.then((value) => (flight.followers > 0 ? copy(value) : value));
    flight.shared.catch(() => {}); // followers get the rejection through their own `then`
    return result;
  }
}
