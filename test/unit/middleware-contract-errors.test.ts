import { describe, expect, it } from 'vitest';

import { MiddlewareError, type RepositoryMiddleware } from '../../src/index.js';
import { InMemoryRepository } from '../../src/testing/index.js';

interface Note {
  id: number;
  body: string;
}

const notes = (middleware: readonly RepositoryMiddleware[]) =>
  new InMemoryRepository<Note>({ table: 'notes', columns: ['id', 'body'], middleware });

describe('errors from the middleware chain', () => {
  it('next() called twice is a MiddlewareError naming the middleware, and the operation ran once', async () => {
    const twice: RepositoryMiddleware = {
      name: 'retry-everything',
      async handle(_operation, next) {
        await next();
        return next();
      },
    };
    const repo = notes([twice]);
    const failure = await repo.create({ body: 'once' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MiddlewareError);
    expect(failure).toMatchObject({ code: 'MIDDLEWARE_MISUSE', statusCode: 500, middleware: 'retry-everything' });
    expect((failure as MiddlewareError).toJSON()).toMatchObject({
      name: 'MiddlewareError',
      middleware: 'retry-everything',
    });
    expect(repo.rows()).toHaveLength(1);
  });

  it.each<[string, unknown]>([
    ['a string', 'denied'],
    ['a plain object', { status: 403 }],
    ['null', null],
  ])('%s thrown by a middleware (handle or scope) reaches the caller unchanged', async (_kind, thrown) => {
    const inHandle: RepositoryMiddleware = {
      name: 'gate',
      handle() {
        throw thrown;
      },
    };
    const inScope: RepositoryMiddleware = {
      name: 'scoper',
      scope() {
        throw thrown;
      },
    };
    await expect(notes([inHandle]).findMany()).rejects.toBe(thrown);
    await expect(notes([inScope]).findMany()).rejects.toBe(thrown);
  });
});
