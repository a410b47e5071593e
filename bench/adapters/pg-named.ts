// pg with named prepared statements: the server parses and plans each statement once per connection.
import type { Adapter, AdapterConfig } from './adapter.js';
import { PgAdapter } from './pg-pool.js';

export function createAdapter(config: AdapterConfig): Adapter {
  return new PgAdapter('pg-named', config, (client, name, text, values) => client.query({ name, text, values }));
}
