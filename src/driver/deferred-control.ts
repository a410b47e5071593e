/**
 * Transaction control (`begin`, `savepoint ...`, `rollback to savepoint ...`) held back
 * until the connection's next statement (or its COMMIT), which sends it under its own
 * Sync (`ControlPrefix`): a transaction costs no round trip for BEGIN, a nested one none
 * for SAVEPOINT or for ROLLBACK TO, and one that runs no statement sends nothing at all.
 * Savepoint names are unique within a transaction (`dl_sp_N`).
 *
 * ```ts
 * const control = new DeferredControl()
 * control.begin('begin')
 * control.savepoint('dl_sp_1', 'savepoint "dl_sp_1"')
 * control.release('dl_sp_1') // true: it was never sent, so there is nothing to release
 * control.take() // ['begin']
 * ```
 */
export class DeferredControl {
  #entries: Entry[] = [];

  /** Whether the BEGIN itself has not been sent (no statement ran in the transaction). */
  get beginPending(): boolean {
    return this.#entries[0]?.kind === 'begin';
  }

  begin(statement: string): void {
    this.#entries = [{ kind: 'begin', name: undefined, statement }];
  }

  savepoint(name: string, statement: string): void {
    this.#entries.push({ kind: 'savepoint', name, statement });
  }

  /** RELEASE of a savepoint not sent yet: forgets it (and any after it); false when it was sent. */
  release(name: string): boolean {
    const at = this.#savepointAt(name);
    if (at < 0) return false;
    this.#entries.length = at;
    return true;
  }

  /**
   * ROLLBACK TO, deferred too. Of a savepoint not sent yet: nothing ran since it, so only
   * what was deferred after it is forgotten (the savepoint stays, as ROLLBACK TO keeps
   * it). Of one that was sent: what was deferred after it is forgotten (the ROLLBACK TO
   * undoes it) and the ROLLBACK TO goes with the next statement or the COMMIT.
   */
  rollbackTo(name: string, statement: string): void {
    const at = this.#savepointAt(name);
    if (at >= 0) this.#entries.length = at + 1;
    else {
      // A statement ran after it, so the BEGIN went too; what is left are later savepoints.
      this.#entries = [{ kind: 'rollbackTo', name, statement }];
    }
  }

  /** What is deferred, for the next statement to send; undefined when nothing is. */
  take(): string[] | undefined {
    if (this.#entries.length === 0) return undefined;
    const statements = this.#entries.map((entry) => entry.statement);
    this.#entries = [];
    return statements;
  }

  clear(): void {
    this.#entries = [];
  }

  #savepointAt(name: string): number {
    for (let at = this.#entries.length - 1; at >= 0; at--) {
      const entry = this.#entries[at]!;
      if (entry.kind === 'savepoint' && entry.name === name) return at;
    }
    return -1;
  }
}

interface Entry {
  readonly kind: 'begin' | 'savepoint' | 'rollbackTo';
  readonly name: string | undefined;
  readonly statement: string;
}
