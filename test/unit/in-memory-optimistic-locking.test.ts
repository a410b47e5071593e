import { InMemoryRepository, type InMemoryRepositoryOptions } from '../../src/testing/index.js';
import {
  documentColumns,
  documentColumnTypes,
  type DocumentRepository,
  type DocumentRow,
  DOCUMENTS_TABLE,
  lockingContract,
} from '../support/repository-contract-locking.js';

const options: InMemoryRepositoryOptions<DocumentRow> = {
  table: DOCUMENTS_TABLE,
  columns: documentColumns,
  columnTypes: documentColumnTypes,
  softDelete: 'deleted_at',
  uniqueKeys: [['title']],
  defaults: () => ({ deleted_at: null, version: 1 }),
};

// One table shared by every repository of the run, as on PostgreSQL.
let versioned: InMemoryRepository<DocumentRow> | undefined;
let unversioned: InMemoryRepository<DocumentRow> | undefined;
lockingContract('InMemoryRepository', async ({ middleware }) => {
  versioned ??= new InMemoryRepository<DocumentRow>({ ...options, version: 'version' });
  unversioned ??= new InMemoryRepository<DocumentRow>(options);
  const pick = (repo: InMemoryRepository<DocumentRow>) =>
    (middleware === undefined ? repo : repo.withMiddleware(middleware)) as unknown as DocumentRepository;
  return {
    versioned: pick(versioned),
    unversioned: pick(unversioned),
    reset: async () => {
      versioned!.clear();
      unversioned!.clear();
    },
  };
});
