import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  belongsTo,
  type Database,
  hasMany,
  type RepositoryMiddleware,
  tenantFilter,
  withTenant,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

// Same-tick relation reads (`= any($1)`) of one related table share one statement below
// the related repository's middleware; every caller gets what its own read returns.
interface DB {
  writers: { id: number; name: string; deleted_at: Date | null; tenant_id: string };
  notes: { id: number; title: string; writer_id: number | null; tenant_id: string };
  refs: { id: number; writer_ref: string | null };
}

const spy = statementSpy();
const t = useTestDatabase<DB>('coalesce_relations', spy.options);
const writerReads = () => spy.statements.filter((text) => text.startsWith('select * from "writers"'));

function repositories(db: Database<DB>, options: { coalesce?: boolean; middleware?: RepositoryMiddleware[] } = {}) {
  const writers = new BaseRepository(db, {
    table: 'writers',
    softDelete: 'deleted_at',
    coalesce: options.coalesce,
    middleware: options.middleware,
  });
  const notes = new BaseRepository(db, {
    table: 'notes',
    coalesce: options.coalesce,
    relations: {
      writer: belongsTo(() => writers, { foreignKey: 'writer_id' }),
    },
  });
  const withNotes = new BaseRepository(db, {
    table: 'writers',
    softDelete: 'deleted_at',
    coalesce: options.coalesce,
    relations: { notes: hasMany(() => notes, { foreignKey: 'writer_id' }) },
  });
  return { writers, notes, withNotes };
}

let together: ReturnType<typeof repositories>;
let alone: ReturnType<typeof repositories>;

beforeAll(async () => {
  await sql`
    create table writers (id serial primary key, name text not null, deleted_at timestamptz, tenant_id text not null);
    create table notes (id serial primary key, title text not null, writer_id int references writers, tenant_id text not null);
    insert into writers (name, deleted_at, tenant_id)
      select 'writer ' || n, case when n = 3 then now() end, 't' || (n % 2) from generate_series(1, 6) n;
    insert into notes (title, writer_id, tenant_id)
      select 'note ' || n, case when n % 7 = 0 then null else 1 + n % 6 end, 't' || ((1 + n % 6) % 2) from generate_series(1, 30) n;
  `.execute(t.db.kysely);
  together = repositories(t.db);
  alone = repositories(t.db, { coalesce: false });
  // Catalog reads, once per repository, outside the counted statements.
  for (const each of [together, alone]) {
    await each.notes.findById(1, { include: { writer: true } });
    await each.withNotes.findById(1, { include: { notes: true } });
  }
});
beforeEach(() => spy.clear());

describe('concurrent relation reads outside a transaction', () => {
  it('belongsTo: one statement for every caller, each getting its own answer (missing, soft-deleted, null key)', async () => {
    const ids = [1, 2, 3, 7, 14, 9, 13, 99, 21, 8]; // 1 and 13: the same writer; 2 and 8: a soft-deleted one
    const shared = await Promise.all(ids.map((id) => together.notes.findById(id, { include: { writer: true } })));
    expect(writerReads()).toEqual([
      'select * from "writers" where ("deleted_at" is null and "id" = any($1)) order by "id" asc',
    ]);
    const separate = [];
    for (const id of ids) separate.push(await alone.notes.findById(id, { include: { writer: true } }));
    expect(shared).toEqual(separate);
    expect(shared.map((note) => note?.writer?.id ?? null)).toEqual(
      separate.map((note) => (note?.writer as { id: number } | null | undefined)?.id ?? null),
    );
    expect(shared[0]!.writer).toEqual(shared[6]!.writer);
    expect(shared[0]!.writer).not.toBe(shared[6]!.writer); // one object per caller
  });

  it('hasMany: each parent gets exactly its own children, in order', async () => {
    const ids = [1, 2, 4, 5, 6, 2];
    const shared = await Promise.all(
      ids.map((id) =>
        together.withNotes.findById(id, { include: { notes: { orderBy: { column: 'id', direction: 'desc' } } } }),
      ),
    );
    expect(spy.statements.filter((text) => text.startsWith('select * from "notes"'))).toHaveLength(1);
    const separate = [];
    for (const id of ids)
      separate.push(
        await alone.withNotes.findById(id, { include: { notes: { orderBy: { column: 'id', direction: 'desc' } } } }),
      );
    expect(shared).toEqual(separate);
    expect(shared[1]!.notes).not.toBe(shared[5]!.notes);
  });

  it('reads with a different related where or order do not share a statement', async () => {
    const [a, b] = await Promise.all([
      together.withNotes.findById(1, { include: { notes: { where: { title: 'note 6' } } } }),
      together.withNotes.findById(2, { include: { notes: { where: { title: 'note 7' } } } }),
    ]);
    expect(a!.notes.map((note) => note.title)).toEqual(['note 6']);
    expect(b!.notes.map((note) => note.title)).toEqual([]);
    expect(spy.statements.filter((text) => text.startsWith('select * from "notes"'))).toHaveLength(2);
  });

  it('runs the related middleware once per read, above the batch', async () => {
    const seen: unknown[] = [];
    const counting: RepositoryMiddleware = {
      name: 'counting',
      handle: (operation, next) => {
        seen.push(operation.kind);
        return next();
      },
    };
    const { notes } = repositories(t.db, { middleware: [counting] });
    await notes.findById(1, { include: { writer: true } }); // catalog
    seen.length = 0;
    spy.clear();
    await Promise.all([1, 2, 4].map((id) => notes.findById(id, { include: { writer: true } })));
    expect(seen).toEqual(['findMany', 'findMany', 'findMany']); // the writers' reads only (notes has no middleware)
    expect(writerReads()).toHaveLength(1);
  });

  it('never inside a transaction, and not with { coalesce: false }', async () => {
    await t.db.transaction(() =>
      Promise.all([1, 2, 4].map((id) => together.notes.findById(id, { include: { writer: true } }))),
    );
    expect(writerReads()).toHaveLength(3);
    spy.clear();
    await Promise.all([1, 2, 4].map((id) => alone.notes.findById(id, { include: { writer: true } })));
    expect(writerReads()).toHaveLength(3);
  });

  it('a key the related column type refuses fails only its own caller', async () => {
    await sql`create table refs (id serial primary key, writer_ref int8)`.execute(t.db.kysely);
    await sql`insert into refs (writer_ref) values (1), (1099511627776), (4)`.execute(t.db.kysely);
    const { writers } = repositories(t.db);
    const refs = new BaseRepository(t.db, {
      table: 'refs',
      relations: { writer: belongsTo(() => writers, { foreignKey: 'writer_ref' }) },
    });
    await refs.findById(1, { include: { writer: true } }); // catalog
    spy.clear();
    const [one, huge, four] = await Promise.allSettled(
      [1, 2, 3].map((id) => refs.findById(id, { include: { writer: true } })),
    );
    expect(one).toMatchObject({ status: 'fulfilled', value: { writer: { id: 1 } } });
    expect(huge).toMatchObject({ status: 'rejected' });
    expect(four).toMatchObject({ status: 'fulfilled', value: { writer: { id: 4 } } });
    // The shared statement failed on the out-of-range key, then each read ran alone.
    expect(writerReads()).toHaveLength(4);
  });

  it('tenant filter: two tenants in the same tick never share a statement', async () => {
    const db = t.open({ ...spy.options, middleware: [tenantFilter({ mode: 'filter' })] });
    const { notes } = repositories(db);
    await withTenant('t0', () => notes.findById(1, { include: { writer: true } })); // catalog
    spy.clear();
    const [zero, one] = await Promise.all([
      withTenant('t0', () => notes.findById(3, { include: { writer: true } })),
      withTenant('t1', () => notes.findById(4, { include: { writer: true } })),
    ]);
    expect(zero?.writer).toMatchObject({ tenant_id: 't0' });
    expect(one?.writer).toMatchObject({ tenant_id: 't1' });
    expect(writerReads()).toHaveLength(2);
  });
});
