export { findTestServer, parseTestServerSources, TEST_SERVER_SOURCES } from './test-server.js';
export type { TestServer, TestServerSource, TestServerSourceName, TestServerStarters, FindTestServerOptions } from './test-server.js';
export { createTestSchema } from './test-schema.js';
export type { TestSchema } from './test-schema.js';
export { InMemoryRepository } from './in-memory-repository.js';
export type { InMemoryRepositoryOptions } from './in-memory-repository.js';
export { withRollback } from './with-rollback.js';
