/** The JSON inside a cursor (its payload, before any `.signature`). */
export function cursorPayload(cursor: string): { o: string; b: string; c: unknown[] } {
  const [payload = ''] = cursor.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { o: string; b: string; c: unknown[] };
}

/** A cursor whose payload is `edit(payload)`, unsigned (as a client forging it would send it). */
export function editedCursor(
  cursor: string,
  edit: (payload: { o: string; b: string; c: unknown[] }) => unknown,
): string {
  return Buffer.from(JSON.stringify(edit(cursorPayload(cursor)))).toString('base64url');
}

/** The same edit, keeping the original signature (which no longer matches). */
export function editedKeepingSignature(
  cursor: string,
  edit: (payload: { o: string; b: string; c: unknown[] }) => unknown,
): string {
  const signature = cursor.split('.')[1];
  return `${editedCursor(cursor, edit)}${signature === undefined ? '' : `.${signature}`}`;
}

/** The cursor with its value at `index` replaced. */
export function withValue(cursor: string, index: number, value: unknown): string {
  return editedCursor(cursor, (payload) => ({
    ...payload,
    c: payload.c.map((entry, i) => (i === index ? value : entry)),
  }));
}
