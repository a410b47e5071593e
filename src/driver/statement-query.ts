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

const PgQuery = pg.Query as unknown as new (
  text: string,
  values: unknown[],
  callback: Callback<object>,
) => pg.Query & { handleDataRow(message: DataRowMessage): void };

/** A pg Query that keeps the texts of one row (see `RowTextCapture`). */
class CapturingQuery extends PgQuery {
  #rows = 0;

  constructor(
    text: string,
    values: unknown[],
    callback: Callback<object>,
    readonly capture: RowTextCapture,
  ) {
    super(text, values, callback);
  }

  override handleDataRow(message: DataRowMessage): void {
    if (this.#rows++ === this.capture.row) {
      const fields = (this as unknown as ResultFields)._result.fields;
      this.capture.texts = new Map(fields.map((field, at) => [field.name, message.fields[at] ?? null]));
    }
    super.handleDataRow(message);
  }
}

/**
 * The pg Query for one statement, built from its text (a string): given a config object,
 * pg copies it through property descriptors first (`cloneQueryConfig`, about 1.5 µs per
 * statement); the name is set on the query instead.
 */
export function statementQuery<R extends object>(
  text: string,
  values: unknown[],
  name: string | undefined,
  callback: Callback<R>,
  capture?: RowTextCapture,
): pg.Query {
  const query =
    capture === undefined
      ? new PgQuery(text, values, callback as Callback<object>)
      : new CapturingQuery(text, values, callback as Callback<object>, capture);
  if (name !== undefined) (query as { name?: string }).name = name;
  return query;
}
