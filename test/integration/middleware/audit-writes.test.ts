import { AsyncLocalStorage } from 'node:async_hooks';

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { ConfigError, NotFoundError } from '../../../src/index.js';
import { useAuditFixture } from './audit-fixture.js';

const f = useAuditFixture('audit_writes');
const ada = { email: 'ada@example.com', name: 'Ada', password_hash: 'h1' };
const iso = (date: Date) => date.toISOString();

describe('auditLog records every write, one row per changed row', () => {
  it('create: every column, after only, with actor, operation, scope, transaction id and time', async () => {
    const accounts = f.accounts({ actor: () => 'user-7' });
    const { id: xid } = (await sql<{ id: string }>`select pg_current_xact_id()::text as id`.execute(f.t.db.kysely))
      .rows[0]!;
    const row = await accounts.create(ada);
    const [entry, ...rest] = await f.auditRows();
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      table_name: 'accounts',
      row_id: String(row.id),
      operation: 'create',
      actor: 'user-7',
      scope: {},
      changes: {
        id: { after: row.id },
        email: { after: 'ada@example.com' },
        password_hash: { after: 'h1' },
        team: { after: null },
        created_at: { after: iso(row.created_at) },
        deleted_at: { after: null },
      },
    });
    expect(BigInt(entry!.transaction_id)).toBeGreaterThan(BigInt(xid));
    expect(entry!.created_at).toBeInstanceOf(Date);
  });

  it('createMany: one row per created row, in one transaction', async () => {
    const rows = await f.accounts().createMany([ada, { email: 'bob@example.com', name: 'Bob' }]);
    const entries = await f.auditRows();
    expect(entries.map((entry) => [entry.operation, entry.row_id])).toEqual(
      rows.map((row) => ['createMany', String(row.id)]),
    );
    expect(new Set(entries.map((entry) => entry.transaction_id)).size).toBe(1);
    expect(entries[0]!.actor).toBeNull();
  });

  it('update: only the columns that changed, before and after', async () => {
    const accounts = f.accounts();
    const before = await accounts.create(ada);
    const after = await accounts.update(before.id, { name: 'Ada L.', team: null });
    const entry = (await f.auditRows())[1]!;
    expect(entry.operation).toBe('update');
    expect(entry.changes).toEqual({
      name: { before: 'Ada', after: 'Ada L.' },
      updated_at: { before: iso(before.updated_at), after: iso(after.updated_at) },
    });
  });

  it('an update that changes no value writes no audit row', async () => {
    const accounts = f.accounts({}, { timestamps: false });
    const row = await accounts.create(ada);
    await accounts.update(row.id, { name: 'Ada' });
    expect((await f.auditRows()).map((entry) => entry.operation)).toEqual(['create']);
  });

  it('redact: the value is masked, the fact that it changed is kept; NULL stays NULL', async () => {
    const accounts = f.accounts({ redact: ['password_hash'] });
    const row = await accounts.create(ada);
    await accounts.update(row.id, { password_hash: 'h2' });
    await accounts.update(row.id, { name: 'Ada L.' });
    await accounts.update(row.id, { password_hash: null });
    const [created, changed, untouched, cleared] = await f.auditRows();
    expect(created!.changes.password_hash).toEqual({ after: '[redacted]' });
    expect(changed!.changes.password_hash).toEqual({ before: '[redacted]', after: '[redacted]' });
    expect(untouched!.changes.password_hash).toBeUndefined();
    expect(cleared!.changes.password_hash).toEqual({ before: '[redacted]', after: null });
    const text = JSON.stringify(await f.auditRows());
    expect(text).not.toContain('h1');
    expect(text).not.toContain('h2');
  });

  it('redact per table: { accounts: [...] }', async () => {
    const accounts = f.accounts({ redact: { accounts: ['email'], other_table: ['x'] } });
    await accounts.create(ada);
    expect((await f.auditRows())[0]!.changes.email).toEqual({ after: '[redacted]' });
  });

  it('an unknown redact column is a ConfigError at the first write, and nothing is written', async () => {
    const accounts = f.accounts({ redact: ['password'] });
    const error = await accounts.create(ada).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option: 'redact', message: expect.stringContaining('"password"') as unknown });
    expect(await f.t.db.kysely.selectFrom('accounts').selectAll().execute()).toEqual([]);
    expect(await f.auditRows()).toEqual([]);
  });

  it('soft delete: the soft-delete column, before and after; restore: back', async () => {
    const accounts = f.accounts();
    const row = await accounts.create(ada);
    await accounts.delete(row.id);
    const deleted = await accounts.getById(row.id, { withDeleted: true });
    const restored = await accounts.restore(row.id);
    const [, deletion, restoration] = await f.auditRows();
    expect(deletion).toMatchObject({
      operation: 'delete',
      changes: { deleted_at: { before: null, after: iso(deleted.deleted_at!) } },
    });
    expect(Object.keys(deletion!.changes)).toEqual(['deleted_at']);
    expect(restoration).toMatchObject({
      operation: 'restore',
      changes: {
        deleted_at: { before: iso(deleted.deleted_at!), after: null },
        updated_at: { before: iso(deleted.updated_at), after: iso(restored.updated_at) },
      },
    });
  });

  it('hardDelete (a soft-deleted row too): every column, before only', async () => {
    const accounts = f.accounts({ redact: ['password_hash'] });
    const row = await accounts.create(ada);
    await accounts.delete(row.id);
    await accounts.hardDelete(row.id);
    const removal = (await f.auditRows())[2]!;
    expect(removal.operation).toBe('hardDelete');
    expect(removal.changes).toMatchObject({
      id: { before: row.id },
      name: { before: 'Ada' },
      password_hash: { before: '[redacted]' },
      deleted_at: { before: expect.any(String) as unknown },
    });
    expect(Object.values(removal.changes).every((change) => !('after' in change))).toBe(true);
  });

  it('upsert: an insert is after only; an update of the conflicting row is a diff', async () => {
    const accounts = f.accounts();
    const inserted = await accounts.upsert(ada, { conflictColumns: ['email'] });
    await accounts.upsert({ ...ada, name: 'Ada L.' }, { conflictColumns: ['email'] });
    const [insert, update] = await f.auditRows();
    expect(insert).toMatchObject({
      operation: 'upsert',
      row_id: String(inserted.id),
      changes: { name: { after: 'Ada' } },
    });
    expect(insert!.changes.name).not.toHaveProperty('before');
    expect(update).toMatchObject({ operation: 'upsert', row_id: String(inserted.id) });
    expect(Object.keys(update!.changes).sort()).toEqual(['name', 'updated_at']);
  });

  it('updateMany: one row per updated row; soft-deleted and unmatched rows are not touched', async () => {
    const accounts = f.accounts();
    const [a, b, c, d] = await accounts.createMany([
      { ...ada, team: 'red' },
      { email: 'b@x.io', name: 'B', team: 'red' },
      { email: 'c@x.io', name: 'C', team: 'blue' },
      { email: 'd@x.io', name: 'D', team: 'red' },
    ]);
    await accounts.delete(d!.id);
    expect(await accounts.updateMany({ team: 'red' }, { team: 'green' })).toBe(2);
    const updates = (await f.auditRows()).filter((entry) => entry.operation === 'updateMany');
    expect(updates.map((entry) => entry.row_id)).toEqual([String(a!.id), String(b!.id)]);
    expect(updates[0]!.changes.team).toEqual({ before: 'red', after: 'green' });
    expect(c).toBeDefined();
  });

  it('a write that fails (not found) leaves no audit row', async () => {
    const accounts = f.accounts();
    await expect(accounts.update(404, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(accounts.hardDelete(404)).rejects.toBeInstanceOf(NotFoundError);
    expect(await f.auditRows()).toEqual([]);
  });

  it('reads are not audited, and the actor is asked once per write', async () => {
    let asked = 0;
    const accounts = f.accounts({ actor: () => (asked++, 42) });
    const row = await accounts.create(ada);
    await accounts.findById(row.id);
    await accounts.findMany();
    expect(asked).toBe(1);
    expect((await f.auditRows()).map((entry) => entry.actor)).toEqual(['42']);
  });

  it("the actor may be async and read the caller's async context; a bad actor value writes nothing", async () => {
    const user = new AsyncLocalStorage<string>();
    const accounts = f.accounts({ actor: async () => Promise.resolve(user.getStore()) });
    await user.run('alice', () => accounts.create(ada));
    await accounts.create({ email: 'nobody@x.io', name: 'nobody' });
    expect((await f.auditRows()).map((entry) => entry.actor)).toEqual(['alice', null]);
    const bad = f.accounts({ actor: () => ({ id: 1 }) as never });
    await expect(bad.create({ email: 'c@x.io', name: 'c' })).rejects.toMatchObject({
      name: 'ConfigError',
      option: 'actor',
    });
    expect(await f.t.db.kysely.selectFrom('accounts').select('email').execute()).toHaveLength(2);
  });
});
