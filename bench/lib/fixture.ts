// The benchmark's tables, in a schema of its own (dropped at the end): items (timestamptz
// columns, so timestamp parsing shows) with an author each, a tenant copy under RLS, events
// for writes, and stream_rows for the streaming workload. Also verifies writes.
import pg from 'pg';

import type { Verification } from './workloads.js';

export const RLS_ROLE = 'data_layer_bench_app';

export interface FixtureOptions {
  readonly url: string;
  readonly schema: string;
  readonly items: number;
  readonly streamRows: number;
}

export async function createFixture({ url, schema, items, streamRows }: FixtureOptions): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const s = pg.escapeIdentifier(schema);
    await client.query(`
      drop schema if exists ${s} cascade;
      create schema ${s};
      do $$ begin
        if not exists (select from pg_roles where rolname = '${RLS_ROLE}') then create role ${RLS_ROLE} login; end if;
      end $$;
      create table ${s}.authors (id serial primary key, name text not null);
      create table ${s}.items (
        id serial primary key, tenant_id text not null, author_id int not null references ${s}.authors (id),
        name text not null, qty int not null, created_at timestamptz not null, updated_at timestamptz not null);
      insert into ${s}.authors (name) select 'author ' || i from generate_series(1, 100) i;
      insert into ${s}.items (tenant_id, author_id, name, qty, created_at, updated_at)
        select 't' || (i % 4), (i % 100) + 1, 'item ' || i, i,
               timestamptz '2026-01-01 00:00:00+00' + i * interval '1.234567 second',
               timestamptz '2026-02-01 00:00:00+00' + i * interval '0.5 second'
        from generate_series(1, ${items}) i;
      create index on ${s}.items (created_at, id);
      create table ${s}.tenant_items (like ${s}.items including all);
      insert into ${s}.tenant_items select * from ${s}.items;
      alter table ${s}.tenant_items enable row level security;
      alter table ${s}.tenant_items force row level security;
      create policy tenant_isolation on ${s}.tenant_items
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::text)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::text);
      grant usage on schema ${s} to ${RLS_ROLE};
      grant select on ${s}.tenant_items to ${RLS_ROLE};
      create table ${s}.events (
        id serial primary key, tag text not null, qty int not null,
        created_at timestamptz not null default now(), updated_at timestamptz not null default now());
      create index on ${s}.events (tag);
      create table ${s}.stream_rows (id int primary key, name text not null, created_at timestamptz not null);
      insert into ${s}.stream_rows
        select i, 'row ' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 millisecond'
        from generate_series(1, ${streamRows}) i;
      analyze;
    `);
  } finally {
    await client.end();
  }
}

export async function dropFixture(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Checks that a write workload left exactly the rows it claims (so a broken fast path
 * cannot post a number); returns a reason when it did not.
 */
export async function verifyWrites(
  url: string,
  schema: string,
  tag: string,
  expected: number,
  verification: Verification,
): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: number; updated: number; rolled_back: number }>(
      `select count(*)::int as total, count(*) filter (where qty = -1)::int as updated,
              count(*) filter (where qty = -9)::int as rolled_back
       from ${pg.escapeIdentifier(schema)}.events where tag = $1`,
      [tag],
    );
    const { total, updated, rolled_back: rolledBack } = rows[0]!;
    if (total !== expected) return `expected ${expected} rows tagged ${tag}, found ${total}`;
    if (verification === 'inserted-and-updated' && updated !== expected)
      return `expected all ${expected} rows updated (qty -1), found ${updated}`;
    if (verification === 'savepoint-rolled-back' && rolledBack !== 0)
      return `${rolledBack} rows inserted inside the rolled-back savepoint survived`;
    return undefined;
  } finally {
    await client.end();
  }
}
