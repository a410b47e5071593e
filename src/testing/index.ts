export type { ColumnType } from '../repository/column-types.js';
export type { InMemoryRepositoryOptions } from './in-memory-repository.js';
export { InMemoryRepository } from './in-memory-repository.js';
export type { TestSchema } from './test-schema.js';
export { createTestSchema } from './test-schema.js';
export type {
  FindTestServerOptions,
  TestServer,
  TestServerSource,
  TestServerSourceName,
  TestServerStarters,
} from './test-server.js';
export { findTestServer, parseTestServerSources, TEST_SERVER_SOURCES } from './test-server.js';
export type { WithRollbackOptions } from './with-rollback.js';
export { withRollback } from './with-rollback.js';
