/**
 * Transaction control (`begin`, `savepoint ...`) held back until the connection's next
 * statement, which sends it under its own Sync (`ControlPrefix`): a transaction costs no
 * round trip for BEGIN, a nested one none for SAVEPOINT, and one that runs no statement
 * sends nothing at all. Savepoint names are unique within a transaction (`dl_sp_N`).
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
  #statements: string[] = [];
  /** The savepoint name of each statement; undefined for the BEGIN. */
  #names: Array<string | undefined> = [];

  /** Whether the BEGIN itself has not been sent (no statement ran in the transaction). */
  get beginPending(): boolean {
    return this.#statements.length > 0 && this.#names[0] === undefined;
  }

  begin(statement: string): void {
    this.#statements = [statement];
    this.#names = [undefined];
  }

  savepoint(name: string, statement: string): void {
    this.#statements.push(statement);
    this.#names.push(name);
  }

  /** RELEASE of a savepoint not sent yet: forgets it (and any after it); false when it was sent. */
  release(name: string): boolean {
    const at = this.#names.lastIndexOf(name);
    if (at < 0) return false;
    this.#statements.length = at;
    this.#names.length = at;
    return true;
  }

  /**
   * ROLLBACK TO a savepoint not sent yet: nothing ran since it, so only what was deferred
   * after it is forgotten (the savepoint itself stays, as ROLLBACK TO keeps it); false when
   * it was sent, and then what was deferred after it is forgotten too (the ROLLBACK TO
   * undoes it).
   */
  rollbackTo(name: string): boolean {
    const at = this.#names.lastIndexOf(name);
    // Sent: a statement ran after it, so the BEGIN went too; what is left are later savepoints.
    if (at < 0) this.clear();
    else {
      this.#statements.length = at + 1;
      this.#names.length = at + 1;
    }
    return at >= 0;
  }

  /** What is deferred, for the next statement to send; undefined when nothing is. */
  take(): string[] | undefined {
    if (this.#statements.length === 0) return undefined;
    const statements = this.#statements;
    this.#statements = [];
    this.#names = [];
    return statements;
  }

  clear(): void {
    this.#statements = [];
    this.#names = [];
  }
}
