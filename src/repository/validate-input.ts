import type { z } from 'zod';

import { ValidationError } from '../errors/application-errors.js';

/**
 * zod schemas a repository validates its write input with.
 *
 * @example
 * ```ts
 * import { z } from 'zod'
 * const schemas: InputSchemas = {
 *   create: z.object({ email: z.string().email(), name: z.string().min(1).nullable().optional() }),
 *   update: z.object({ name: z.string().min(1) }).partial(),
 * }
 * const users = new BaseRepository(db, { table: 'users', schemas })
 * ```
 */
export interface InputSchemas {
  /** Applied to every `create`, `createMany` item and `upsert` input; the parsed output is written. */
  readonly create?: z.ZodType;
  /** Applied to every `update` / `updateMany` patch. */
  readonly update?: z.ZodType;
}

/**
 * Parses `input` with `schema` (when given) and returns the parsed output. Failure is a
 * `ValidationError` carrying zod's issues (paths, messages, codes; never the input values).
 */
export function validateInput(schema: z.ZodType | undefined, input: unknown, what: string): object {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`${what} must be an object`, [
      { path: [], message: 'expected an object', code: 'invalid_type' },
    ]);
  }
  if (schema === undefined) return input;
  const result = schema.safeParse(input);
  if (result.success) {
    if (typeof result.data !== 'object' || result.data === null) {
      throw new ValidationError(`${what} schema must produce an object`, [
        { path: [], message: 'schema output is not an object', code: 'invalid_type' },
      ]);
    }
    return result.data;
  }
  const issues = result.error.issues.map((issue) => ({ path: issue.path, message: issue.message, code: issue.code }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at "${first.path.map(String).join('.')}"` : '';
  throw new ValidationError(`Invalid ${what}${where}: ${first?.message ?? 'rejected by schema'}`, issues);
}
