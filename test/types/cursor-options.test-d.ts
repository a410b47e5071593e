import { describe, expectTypeOf, it } from 'vitest';

import { createDatabase, type CursorPage, type DatabaseOptions } from '../../src/index.js';
import { InMemoryRepository, type InMemoryRepositoryOptions } from '../../src/testing/index.js';

describe('cursor options', () => {
  it('types cursorSecret as one key or a list of keys', () => {
    expectTypeOf<DatabaseOptions['cursorSecret']>().toEqualTypeOf<string | readonly string[] | undefined>();
    createDatabase({ cursorSecret: 'a-cursor-signing-key-0001' });
    createDatabase({ cursorSecret: ['new-cursor-signing-key', 'old-cursor-signing-key'] });
    // @ts-expect-error a key is a string
    createDatabase({ cursorSecret: 42 });
    expectTypeOf<InMemoryRepositoryOptions<{ id: number }>['cursorSecret']>().toEqualTypeOf<
      string | readonly string[] | undefined
    >();
  });

  it('keeps cursors opaque strings', () => {
    const repo = new InMemoryRepository<{ id: number }>({
      table: 't',
      columns: ['id'],
      cursorSecret: 'a-cursor-signing-key-0001',
    });
    expectTypeOf(repo.paginateByCursor({ after: 'x' })).toEqualTypeOf<Promise<CursorPage<{ id: number }>>>();
    expectTypeOf<CursorPage<{ id: number }>['nextCursor']>().toEqualTypeOf<string | undefined>();
  });
});
