import { sql } from 'kysely';
import { beforeAll } from 'vitest';

import { BaseRepository, type RepositoryMiddleware } from '../../../src/index.js';
import {
  CONTRACT_TABLE,
  type ContractRepository,
  type ContractRow,
  contractSchemas,
  contractTableSql,
  repositoryContract,
} from '../../support/repository-contract.js';
import { useTestDatabase } from '../../support/test-database.js';

// The same suite runs against InMemoryRepository in test/unit/in-memory-repository.test.ts,
// so the fake and the real repository cannot drift apart.
interface ContractDB {
  contract_people: ContractRow;
}

const t = useTestDatabase<ContractDB>('contract');

beforeAll(async () => {
  await sql.raw(contractTableSql).execute(t.db.kysely);
});

repositoryContract(
  'BaseRepository on PostgreSQL',
  async ({ middleware = [] }: { middleware?: RepositoryMiddleware[] } = {}) => {
    const repository = new BaseRepository<ContractDB, 'contract_people', 'deleted_at'>(t.db, {
      table: CONTRACT_TABLE,
      softDelete: 'deleted_at',
      timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
      schemas: contractSchemas,
      defaultOrderBy: 'id',
      middleware,
    });
    return {
      repository: repository as unknown as ContractRepository,
      reset: async () => void (await sql.raw(`truncate ${CONTRACT_TABLE} restart identity`).execute(t.db.kysely)),
    };
  },
);
