import type { CompiledQuery } from 'kysely';
import pg from 'pg';

/**
 * Asks the driver for one result row as the server sent it: the text of each field,
 * before any type parser ran (keyset cursors need a timestamptz's microseconds, which a
 * `Date` drops). Filled when the statement completes; `texts` stays undefined when the
 * statement returned fewer rows.
 *
 * ```ts
 * const capture = new RowTextCapture(49)
 * await connection.executeQuery(withRowTexts(compiled, capture))
 * capture.texts?.get('created_at') // '2026-01-01 00:00:01.234567+00'
 * ```
 */
export class RowTextCapture {
  texts: ReadonlyMap<string, string | null> | undefined;

  /** `row`: the 0-based index of the row wanted. */
  constructor(readonly row: number) {}
}

/** A compiled statement that also wants one row's texts (see `RowTextCapture`). */
interface CapturingCompiledQuery extends CompiledQuery {
  readonly rowTexts: RowTextCapture;
}

/** `compiled`, asking the driver to fill `capture` when it runs. */
export function withRowTexts(compiled: CompiledQuery, capture: RowTextCapture): CompiledQuery {
  const capturing: CapturingCompiledQuery = { ...compiled, rowTexts: capture };
  return capturing;
}

/** The capture a compiled statement asks for, if any. */
export function rowTextsOf(compiled: CompiledQuery): RowTextCapture | undefined {
  return (compiled as Partial<CapturingCompiledQuery>).rowTexts;
}

type Callback<R extends object> = (error: Error | null, result: pg.QueryResult<R>) => void;

/** A DataRow as pg 8's Query receives it (the Submittable contract pg-cursor implements too). */
interface DataRowMessage {
  fields: Array<string | null>;
}

/** pg's field descriptions, there once the RowDescription arrived (before any DataRow). */
interface ResultFields {
  _result: { fields: ReadonlyArray<{ name: string }> };
}

/** The parts of pg 8's Connection and Query the prefix is written with. */
interface WireConnection {
  parse(message: { text: string }): void;
  bind(message: object): void;
  execute(message: object): void;
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
}

/** The pg 8 Query members used here (its typings declare only `submit` and events). */
interface PgQueryInstance {
  name?: string;
  queryMode?: 'extended';
  text: string;
  types?: unknown;
  submit(connection: WireConnection): Error | null;
  hasBeenParsed(connection: WireConnection): boolean;
  handleDataRow(message: DataRowMessage): void;
  handleCommandComplete(message: unknown, connection: WireConnection): void;
  handleError(error: Error, connection: WireConnection): void;
}

const PgQuery = pg.Query as unknown as new (
  text: string,
  values: unknown[],
  callback: Callback<object>,
) => PgQueryInstance;

/**
 * Transaction control that has not been sent yet (`begin`, `savepoint ...`), sent with
 * the statement ahead of it under the statement's own Sync, so it costs no round trip of
 * its own. If any of it fails, the server skips the statement; `failed` then reports
 * the error (nothing may run as if the transaction had begun).
 */
export interface ControlPrefix {
  readonly statements: readonly string[];
  /** How many of `statements` completed (counted as their CommandCompletes arrive). */
  completed: number;
  readonly failed: (error: Error) => void;
}

/** What a statement may carry besides its text and values (see `statementQuery`). */
export interface StatementExtras {
  readonly capture?: RowTextCapture | undefined;
  /** Sent ahead of the statement, under its Sync. */
  readonly prefix?: ControlPrefix | undefined;
  /** A prefix sent on its own just before: its error, if it failed (the statement is then not sent). */
  readonly guard?: (() => Error | undefined) | undefined;
  /** The extended protocol even without parameters (so a prefix can share the Sync). */
  readonly extended?: boolean;
}

/**
 * A pg Query with extras: keeps the texts of one row (`RowTextCapture`), sends a
 * `ControlPrefix` ahead of itself in the same Sync, or runs only if a prefix sent on its
 * own succeeded (`guard`). pg records the active query's name as parsed on every
 * ParseComplete, the prefix's too, so a named statement that still needs its Parse must
 * not carry a prefix (a failing Parse would stay recorded as parsed): the caller sends
 * the prefix on its own then.
 */
class DriverQuery extends PgQuery {
  #rows = 0;
  /** Prefix CommandCompletes still to arrive (they are not the statement's). */
  #prefixPending: number;
  /** Inside submit(): an error now is pg's own (a value it cannot send), raised after the prefix was written with its Sync. */
  #submitting = false;

  constructor(
    text: string,
    values: unknown[],
    callback: Callback<object>,
    readonly capture: RowTextCapture | undefined,
    readonly prefix: ControlPrefix | undefined,
    readonly guard: (() => Error | undefined) | undefined,
  ) {
    super(text, values, callback);
    this.#prefixPending = prefix?.statements.length ?? 0;
  }

  override submit(connection: WireConnection): Error | null {
    const refused = this.guard?.();
    if (refused !== undefined) return refused; // pg fails the query with it, sending nothing
    const prefix = this.prefix;
    if (prefix === undefined) return super.submit(connection);
    // Queued as parsed, but its record went since (`queryAfterClosing` closed it): sent
    // unnamed this once, so the prefix's ParseComplete cannot mark an unparsed name parsed.
    if (this.name !== undefined && !this.hasBeenParsed(connection)) this.name = undefined;
    this.#submitting = true;
    connection.stream.cork?.();
    try {
      for (const statement of prefix.statements) {
        connection.parse({ text: statement });
        connection.bind({});
        connection.execute({});
      }
      return super.submit(connection);
    } finally {
      this.#submitting = false;
      connection.stream.uncork?.();
    }
  }

  override handleCommandComplete(message: unknown, connection: WireConnection): void {
    if (this.#prefixPending > 0) {
      this.#prefixPending--;
      this.prefix!.completed++;
      return;
    }
    super.handleCommandComplete(message, connection);
  }

  override handleError(error: Error, connection: WireConnection): void {
    if (this.#prefixPending > 0 && !this.#submitting) {
      // The server refused the prefix (or it is unknown whether it ran it): fail closed.
      this.#prefixPending = 0;
      this.prefix?.failed(error);
    }
    super.handleError(error, connection);
  }

  override handleDataRow(message: DataRowMessage): void {
    const capture = this.capture;
    if (capture !== undefined && this.#rows++ === capture.row) {
      const fields = (this as unknown as ResultFields)._result.fields;
      capture.texts = new Map(fields.map((field, at) => [field.name, message.fields[at] ?? null]));
    }
    super.handleDataRow(message);
  }
}

/**
 * The pg Query for one statement, built from its text (a string): given a config object,
 * pg copies it through property descriptors first (`cloneQueryConfig`, about 1.5 µs per
 * statement); the name is set on the query instead. A prefix needs the extended protocol
 * (parameters, or a name) and, when named, a statement already parsed on the connection.
 */
export function statementQuery<R extends object>(
  text: string,
  values: unknown[],
  name: string | undefined,
  callback: Callback<R>,
  extras?: StatementExtras,
): pg.Query {
  const query =
    extras === undefined
      ? new PgQuery(text, values, callback as Callback<object>)
      : new DriverQuery(text, values, callback as Callback<object>, extras.capture, extras.prefix, extras.guard);
  if (name !== undefined) query.name = name;
  if (extras?.extended === true) query.queryMode = 'extended';
  return query as unknown as pg.Query;
}
