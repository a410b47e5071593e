/** `"name"`, or `"schema"."name"` for a dotted name; embedded quotes are doubled. */
export function quoteIdentifier(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}
