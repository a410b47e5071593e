/**
 * What a log line says about an error: name, message and `code` when present, never the
 * whole object (driver errors carry row values in other fields).
 */
export function describeError(error: unknown): { name: string; message: string; code?: unknown } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return code === undefined
    ? { name: error.name, message: error.message }
    : { name: error.name, message: error.message, code };
}
