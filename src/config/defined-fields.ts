/**
 * `options` without the keys whose value is `undefined`. An explicit `undefined`
 * (`{ max: process.env.POOL_MAX && Number(process.env.POOL_MAX) }`, allowed by the option
 * types under `exactOptionalPropertyTypes`) means "not given": spread over defaults as it
 * is, it would replace the default with `undefined`.
 */
export function definedFields<T extends object>(options: T | undefined): Partial<T> {
  if (options === undefined) return {};
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
