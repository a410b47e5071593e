import { describe, expect, it } from 'vitest';

import { auditLog, auditTableSql, ConfigError, type RepositoryMiddleware } from '../../src/index.js';
import { auditValue, rowChanges } from '../../src/middleware/audit/audit-changes.js';
import { InMemoryRepository } from '../../src/testing/index.js';

describe('auditLog() options', () => {
  it.each([
    [{ table: '' }, 'table'],
    [{ table: 'audit..log' }, 'table'],
    [{ actor: 42 }, 'actor'],
    [{ redact: ['ok', ''] }, 'redact'],
    [{ redact: { users: 'password_hash' } }, 'redact'],
    [{ redact: 'password_hash' }, 'redact'],
  ])('%j is a ConfigError naming %s', (options, option) => {
    expect(() => auditLog(options as never)).toThrow(ConfigError);
    expect(() => auditLog(options as never)).toThrow(expect.objectContaining({ option }) as Error);
  });

  it('accepts no options, a schema-qualified table, an async actor and per-table redaction', () => {
    expect(auditLog().name).toBe('audit');
    expect(() =>
      auditLog({ table: 'audit.audit_log', actor: async () => 'u1', redact: { users: ['password_hash'] } }),
    ).not.toThrow();
  });
});

describe('auditLog on the in-memory fake', () => {
  const notes = (middleware: RepositoryMiddleware[]) =>
    new InMemoryRepository<{ id: number; body: string }>({ table: 'notes', columns: ['id', 'body'], middleware });

  it('a write is a ConfigError saying it needs a SQL repository, and nothing is written; reads pass', async () => {
    const repository = notes([auditLog()]);
    const error = await repository.create({ body: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('auditLog needs a SQL repository');
    expect(repository.rows()).toEqual([]);
    expect(await repository.findMany()).toEqual([]);
  });
});

describe('rowChanges', () => {
  const redacted = new Set(['secret']);
  it('lists only the changed columns of an update, with values as JSON', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    expect(
      rowChanges(
        { id: 1, n: 1n, when: at, blob: Buffer.from([1, 255]), doc: { a: [1] }, same: 'x' },
        { id: 1, n: 2n, when: new Date(at), blob: Buffer.from([1, 254]), doc: { a: [2] }, same: 'x' },
        redacted,
      ),
    ).toEqual({
      n: { before: '1', after: '2' },
      blob: { before: '\\x01ff', after: '\\x01fe' },
      doc: { before: { a: [1] }, after: { a: [2] } },
    });
  });

  it('create is after only, delete before only; redacted values are masked, NULL kept', () => {
    expect(rowChanges(undefined, { id: 1, secret: 's', other: null }, redacted)).toEqual({
      id: { after: 1 },
      secret: { after: '[redacted]' },
      other: { after: null },
    });
    expect(rowChanges({ id: 1, secret: null }, undefined, redacted)).toEqual({
      id: { before: 1 },
      secret: { before: null },
    });
    expect(rowChanges({ secret: 'a' }, { secret: 'b' }, redacted)).toEqual({
      secret: { before: '[redacted]', after: '[redacted]' },
    });
  });

  it('auditValue: dates as ISO text, non-finite numbers as text', () => {
    expect(auditValue(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z');
    expect(auditValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(auditValue(undefined)).toBeNull();
  });
});

describe('auditTableSql()', () => {
  it('creates the table with its indexes, transaction id and time defaults', () => {
    const ddl = auditTableSql();
    expect(ddl).toContain('create table "audit_log" (');
    expect(ddl).toContain('transaction_id xid8 not null default pg_current_xact_id()');
    expect(ddl).toContain('create index "audit_log_row_idx" on "audit_log" (table_name, row_id, id);');
    expect(ddl).not.toContain('row level security');
  });

  it('quotes a schema-qualified name', () => {
    expect(auditTableSql({ table: 'audit.log' })).toContain('create table "audit"."log" (');
  });

  it('with tenant: a tenant column from the setting, row-level security, no update or delete policy', () => {
    const ddl = auditTableSql({ tenant: { setting: 'app.org', columnType: 'uuid', column: 'org_id' } });
    expect(ddl).toContain(`"org_id" uuid default nullif(current_setting('app.org', true), '')::uuid,`);
    expect(ddl).toContain('alter table "audit_log" force row level security;');
    expect(ddl).toContain('for insert with check ("org_id" is not distinct from');
    expect(ddl).toContain('for select using ("org_id" =');
    expect(ddl).not.toMatch(/for (update|delete)/);
  });

  it.each([
    [{ tenant: { columnType: 'json' } }, 'tenant.columnType'],
    [{ tenant: { column: '' } }, 'tenant.column'],
  ])('%j is a ConfigError naming %s', (options, option) => {
    expect(() => auditTableSql(options as never)).toThrow(expect.objectContaining({ option }) as Error);
  });
});
