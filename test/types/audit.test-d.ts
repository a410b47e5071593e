import { describe, expectTypeOf, it } from 'vitest';

import {
  type AuditChanges,
  auditLog,
  type AuditLogOptions,
  type AuditRow,
  auditTableSql,
  type OperationRows,
  type RepositoryMiddleware,
  type RepositoryOperation,
  type SessionControl,
} from '../../src/index.js';

describe('auditLog', () => {
  it('is a RepositoryMiddleware built from typed options', () => {
    expectTypeOf(auditLog()).toEqualTypeOf<RepositoryMiddleware>();
    auditLog({ table: 'audit_log', actor: () => 'u1', redact: ['password_hash'] });
    auditLog({ actor: async () => 7, redact: { users: ['password_hash'] } });
    auditLog({ actor: () => undefined });
    // @ts-expect-error the actor is a function, not a value
    auditLog({ actor: 'u1' });
    // @ts-expect-error an actor is text, a number or null, not an object
    auditLog({ actor: () => ({ id: 1 }) });
    // @ts-expect-error redact lists column names
    auditLog({ redact: 'password_hash' });
    // @ts-expect-error unknown option
    auditLog({ tables: ['users'] });
    expectTypeOf<AuditLogOptions['table']>().toEqualTypeOf<string | undefined>();
  });

  it('auditTableSql returns the DDL text', () => {
    expectTypeOf(auditTableSql()).toEqualTypeOf<string>();
    auditTableSql({ table: 'audit.audit_log', tenant: { columnType: 'uuid' } });
    // @ts-expect-error a tenant column type the policy can cast to
    auditTableSql({ tenant: { columnType: 'json' } });
  });

  it('types the audit row as read back', () => {
    expectTypeOf<AuditRow['changes']>().toEqualTypeOf<AuditChanges>();
    expectTypeOf<AuditRow['actor']>().toEqualTypeOf<string | null>();
    expectTypeOf<AuditRow['operation']>().toEqualTypeOf<
      'create' | 'createMany' | 'update' | 'updateMany' | 'upsert' | 'delete' | 'hardDelete' | 'restore'
    >();
  });
});

describe('operation.rows and session.query', () => {
  it('are optional and typed, with no any leaking out', () => {
    expectTypeOf<RepositoryOperation['rows']>().toEqualTypeOf<OperationRows | undefined>();
    expectTypeOf<ReturnType<OperationRows['targeted']>>().toEqualTypeOf<
      Promise<ReadonlyArray<Readonly<Record<string, unknown>>>>
    >();
    expectTypeOf<OperationRows['byKeys']>().parameter(0).toEqualTypeOf<readonly unknown[]>();
    expectTypeOf<ReturnType<OperationRows['columns']>>().toEqualTypeOf<Promise<ReadonlySet<string>>>();
    const query = {} as SessionControl['query'];
    expectTypeOf(query<{ n: number }>('select 1 as n')).toEqualTypeOf<Promise<{ rows: { n: number }[] }>>();
    expectTypeOf(query('select 1')).toEqualTypeOf<Promise<{ rows: Record<string, unknown>[] }>>();
  });
});
