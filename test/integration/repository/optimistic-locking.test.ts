import { type Generated, sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import { BaseRepository, ConfigError, type RepositoryMiddleware } from '../../../src/index.js';
import {
  type DocumentRepository,
  type DocumentRow,
  DOCUMENTS_TABLE,
  documentsTableSql,
  lockingContract,
} from '../../support/repository-contract-locking.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

interface LockingDB {
  contract_documents: Omit<DocumentRow, 'id' | 'version'> & { id: Generated<number>; version: Generated<number> };
  bad_versions: { id: number; version: string };
}

const spy = statementSpy();
const t = useTestDatabase<LockingDB>('locking', spy.options);

beforeAll(async () => {
  await sql.raw(documentsTableSql).execute(t.db.kysely);
  await sql.raw('create table bad_versions (id serial primary key, version text)').execute(t.db.kysely);
});

lockingContract(
  'BaseRepository on PostgreSQL',
  async ({ middleware = [] }: { middleware?: RepositoryMiddleware[] }) => {
    const options = { table: DOCUMENTS_TABLE, softDelete: 'deleted_at', middleware } as const;
    return {
      versioned: new BaseRepository<LockingDB, 'contract_documents', 'deleted_at'>(t.db, {
        ...options,
        version: 'version',
      }) as unknown as DocumentRepository,
      unversioned: new BaseRepository<LockingDB, 'contract_documents', 'deleted_at'>(
        t.db,
        options,
      ) as unknown as DocumentRepository,
      reset: async () => void (await sql.raw(`truncate ${DOCUMENTS_TABLE} restart identity`).execute(t.db.kysely)),
    };
  },
);

describe('optimistic locking on PostgreSQL', () => {
  it('a version column that is not an integer is a ConfigError at the first operation', async () => {
    const repo = new BaseRepository<LockingDB, 'bad_versions'>(t.db, { table: 'bad_versions', version: 'version' });
    const error = await repo.findById(1).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('version');
  });

  it('checks the version in the UPDATE itself: one statement when it matches, one more read when it does not', async () => {
    const docs = new BaseRepository<LockingDB, 'contract_documents', 'deleted_at'>(t.db, {
      table: DOCUMENTS_TABLE,
      softDelete: 'deleted_at',
      version: 'version',
    });
    await sql.raw(`truncate ${DOCUMENTS_TABLE} restart identity`).execute(t.db.kysely);
    const doc = await docs.create({ title: 'a', owner: 'ann' });
    spy.clear();
    await docs.update(doc.id, { title: 'b' }, { expectedVersion: 1 });
    expect(spy.statements).toHaveLength(1);
    expect(spy.statements[0]).toMatch(/"version" = "version" \+ 1 .*"version" = \$/);
    spy.clear();
    await expect(docs.update(doc.id, { title: 'c' }, { expectedVersion: 1 })).rejects.toThrow(
      /expected version 1, found 2/,
    );
    expect(spy.statements).toHaveLength(2);
  });
});
