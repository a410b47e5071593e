import { inspect } from 'node:util';

import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  BaseRepository,
  type CursorPage,
  type Database,
  tenantFilter,
  ValidationError,
  withTenant,
} from '../../../src/index.js';
import { cursorPayload, editedCursor, editedKeepingSignature, withValue } from '../../support/cursor-tampering.js';
import { caught } from '../../support/repository-contract.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

// Defects 5 and 3 (cursor part) of issue 8: cursors were base64 JSON that a client could
// forge or edit, reuse for another tenant, filter or table, and whose edited values
// reached SQL (500s, a row comparison from an array, a raw SyntaxError).
interface OrderRow {
  id: number;
  tenant_id: string;
  team: string;
  created_at: Date;
}
interface DB {
  orders: OrderRow;
  invoices: OrderRow;
}

const spy = statementSpy();
const t = useTestDatabase<DB>('cursor_security', spy.options);
const KEY_OLD = 'old-cursor-key-0123456789';
const KEY_NEW = 'new-cursor-key-9876543210';

const repoOn = (db: Database<DB>, table: 'orders' | 'invoices' = 'orders') =>
  new BaseRepository<DB, 'orders'>(db, { table: table as 'orders' });
const tenantRepo = (db: Database<DB>, mode: 'filter' | 'rls') =>
  new BaseRepository<DB, 'orders'>(db, { table: 'orders', middleware: [tenantFilter({ mode })] });

type Pager = {
  paginateByCursor(options: {
    orderBy: 'created_at';
    limit: number;
    where?: Partial<OrderRow>;
  }): Promise<CursorPage<OrderRow>>;
};

async function firstCursor(repo: Pager, options: { where?: Partial<OrderRow> } = {}): Promise<string> {
  const page = await repo.paginateByCursor({ orderBy: 'created_at', limit: 2, ...options });
  expect(page.nextCursor).toBeDefined();
  return page.nextCursor!;
}

async function rejected(promise: Promise<unknown>, column?: string): Promise<ValidationError> {
  const error = await caught(promise, ValidationError);
  expect(error.statusCode).toBe(400);
  if (column !== undefined) {
    expect(error.message).toContain(`"${column}"`);
    expect(error.issues[0]?.path).toEqual(['after', column]);
  }
  return error;
}

beforeAll(async () => {
  for (const table of ['orders', 'invoices']) {
    await sql`create table ${sql.table(table)} (id serial primary key, tenant_id text not null, team text not null, created_at timestamptz not null default clock_timestamp())`.execute(
      t.db.kysely,
    );
    await sql`insert into ${sql.table(table)} (tenant_id, team) select case when g % 2 = 0 then 'A' else 'B' end, case when g % 3 = 0 then 'red' else 'blue' end from generate_series(1, 20) g`.execute(
      t.db.kysely,
    );
  }
});

describe('signed cursors (cursorSecret)', () => {
  it('signs with the first key and walks every row', async () => {
    const db = t.open({ cursorSecret: KEY_NEW });
    const repo = repoOn(db);
    const ids: number[] = [];
    let after: string | undefined;
    do {
      const page = await repo.paginateByCursor({ orderBy: 'created_at', limit: 6, after });
      ids.push(...page.items.map((row) => row.id));
      if (page.nextCursor !== undefined) expect(page.nextCursor).toMatch(/^[\w-]+\.[\w-]{43}$/);
      after = page.nextCursor;
    } while (after !== undefined);
    expect(ids).toHaveLength(20);
  });

  it('rotates: a cursor signed with the old key still verifies while it is listed', async () => {
    const old = await firstCursor(repoOn(t.open({ cursorSecret: KEY_OLD })));
    const rotated = repoOn(t.open({ cursorSecret: [KEY_NEW, KEY_OLD] }));
    expect((await rotated.paginateByCursor({ orderBy: 'created_at', limit: 2, after: old })).items).toHaveLength(2);
    // Cursors are now signed with the new key: a handle that only knows the old one refuses them.
    const fresh = await firstCursor(rotated);
    await rejected(repoOn(t.open({ cursorSecret: KEY_OLD })).paginateByCursor({ orderBy: 'created_at', after: fresh }));
    // Once the old key is dropped, its cursors stop verifying.
    await rejected(repoOn(t.open({ cursorSecret: [KEY_NEW] })).paginateByCursor({ orderBy: 'created_at', after: old }));
  });

  it('refuses forged, unsigned and edited cursors', async () => {
    const repo = repoOn(t.open({ cursorSecret: KEY_NEW }));
    const cursor = await firstCursor(repo);
    const unsigned = cursor.split('.')[0]!;
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: unsigned }));
    // Forged: a well-formed payload signed with a key the server does not have.
    const forged = await firstCursor(repoOn(t.open({ cursorSecret: 'attacker-guessed-key-000' })));
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: forged }));
    // Edited value, original signature kept.
    const edited = editedKeepingSignature(cursor, (payload) => ({
      ...payload,
      c: [
        ['timestamp with time zone', '1970-01-01T00:00:00+00:00'],
        ['integer', '1'],
      ],
    }));
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: edited }));
    // Another spelling of the same bytes (base64 is decoded leniently) is refused too.
    const last = cursor.at(-1)!;
    const respelled = `${cursor.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: respelled }));
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: `${cursor}.extra` }));
  });

  it('keeps the secret out of logs, JSON and inspect output', () => {
    const db = t.open({ cursorSecret: [KEY_NEW, KEY_OLD] });
    for (const text of [inspect(db, { depth: 10, showHidden: false }), JSON.stringify(db.metrics())]) {
      expect(text).not.toContain(KEY_NEW);
      expect(text).not.toContain(KEY_OLD);
    }
  });
});

describe('cursors are bound to their table, filter and tenant (with or without a secret)', () => {
  for (const secret of [undefined, KEY_NEW]) {
    const label = secret === undefined ? 'unsigned' : 'signed';

    it(`${label}: a cursor from another table is refused`, async () => {
      const db = t.open(secret === undefined ? {} : { cursorSecret: secret });
      const cursor = await firstCursor(repoOn(db, 'invoices'));
      await rejected(repoOn(db, 'orders').paginateByCursor({ orderBy: 'created_at', after: cursor }));
    });

    it(`${label}: a cursor from another where filter is refused; the same filter in another key order is not`, async () => {
      const db = t.open(secret === undefined ? {} : { cursorSecret: secret });
      const repo = repoOn(db);
      const cursor = await firstCursor(repo, { where: { team: 'blue', tenant_id: 'A' } });
      await rejected(
        repo.paginateByCursor({ orderBy: 'created_at', where: { team: 'red', tenant_id: 'A' }, after: cursor }),
      );
      await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: cursor }));
      const same = await repo.paginateByCursor({
        orderBy: 'created_at',
        where: { tenant_id: 'A', team: 'blue' },
        after: cursor,
      });
      expect(same.items.every((row) => row.team === 'blue' && row.tenant_id === 'A')).toBe(true);
    });

    for (const mode of ['filter', 'rls'] as const) {
      it(`${label}: a cursor taken for tenant B is refused for tenant A (${mode} mode)`, async () => {
        const db = t.open(secret === undefined ? {} : { cursorSecret: secret });
        const repo = tenantRepo(db, mode);
        const cursor = await withTenant('B', () => firstCursor(repo));
        await withTenant('A', () => rejected(repo.paginateByCursor({ orderBy: 'created_at', after: cursor })));
        const again = await withTenant('B', () =>
          repo.paginateByCursor({ orderBy: 'created_at', limit: 2, after: cursor }),
        );
        expect(again.items).toHaveLength(2);
      });
    }
  }
});

describe('edited cursor values are a 400 naming the column, before any SQL', () => {
  async function cursorAndRepo() {
    const repo = repoOn(t.db);
    return { repo, cursor: await firstCursor(repo) };
  }

  it('a date replaced by a number, an object, an array or garbage text', async () => {
    const { repo, cursor } = await cursorAndRepo();
    const [, id] = cursorPayload(cursor).c as [unknown, unknown];
    for (const value of [12345, { $date: 'x' }, ['a', 'b'], null, 'garbage']) {
      const edited = withValue(cursor, 0, typeof value === 'string' ? ['timestamp with time zone', value] : value);
      await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: edited }), 'created_at');
      // The value itself (not the pair) replaced, too.
      await rejected(
        repo.paginateByCursor({
          orderBy: 'created_at',
          after: withValue(cursor, 0, ['timestamp with time zone', value]),
        }),
        'created_at',
      );
    }
    for (const text of ['2026-02-30T00:00:00+00:00', '2026-01-01T25:00:00+00:00', '2026-01-01 00:00:00+00', '']) {
      await rejected(
        repo.paginateByCursor({
          orderBy: 'created_at',
          after: withValue(cursor, 0, ['timestamp with time zone', text]),
        }),
        'created_at',
      );
    }
    for (const text of ['abc', '1.5', '2147483648', '-', 'NaN']) {
      await rejected(
        repo.paginateByCursor({ orderBy: 'created_at', after: withValue(cursor, 1, ['integer', text]) }),
        'id',
      );
    }
    expect(id).toEqual(['integer', expect.stringMatching(/^\d+$/)]);
  });

  it('a value of another type than the column is refused (type swap)', async () => {
    const { repo, cursor } = await cursorAndRepo();
    await rejected(
      repo.paginateByCursor({ orderBy: 'created_at', after: withValue(cursor, 0, ['integer', '5']) }),
      'created_at',
    );
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: withValue(cursor, 1, ['text', '5']) }), 'id');
  });

  it('an array never reaches SQL as a row comparison, and nothing runs for a bad cursor', async () => {
    const { repo, cursor } = await cursorAndRepo();
    spy.clear();
    await rejected(repo.paginateByCursor({ orderBy: 'created_at', after: withValue(cursor, 1, [1, 2, 3]) }), 'id');
    await rejected(
      repo.paginateByCursor({
        orderBy: 'created_at',
        after: editedCursor(cursor, (payload) => ({ ...payload, c: [...payload.c, ['integer', '1']] })),
      }),
    );
    expect(spy.statements.filter((each) => each.includes('"orders"'))).toEqual([]);
  });

  it('old-format and junk cursors are a ValidationError, never a raw SyntaxError', async () => {
    const { repo } = await cursorAndRepo();
    const junk = [
      Buffer.from('{"o":"created_at:asc,id:asc","v":[{"$date":"x"},{"$bigint":"abc"}]}').toString('base64url'),
      Buffer.from('{"o":"id:asc","v":[{"$bigint":"abc"}]}').toString('base64url'),
      Buffer.from('not json').toString('base64url'),
      Buffer.from('[1,2]').toString('base64url'),
      'x'.repeat(70_000),
      '',
      '%%%',
    ];
    for (const after of junk) await rejected(repo.paginateByCursor({ orderBy: 'created_at', after }));
    await rejected(repo.paginateByCursor({ after: 42 as unknown as string }));
  });
});
