/**
 * A promise rejected with exactly what was thrown: for the hot-path functions that are
 * not `async` (an async wrapper costs promises per call) but must still never throw
 * synchronously.
 */
export function rejectWith<T>(error: unknown): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrows what was caught, unchanged
  return Promise.reject(error);
}
