import { describe, expect, it } from 'vitest';

import { ConfigError, tenantFilter, tenantPolicySql } from '../../src/index.js';

describe('tenantPolicySql', () => {
  it('enables and forces RLS with a policy on the current tenant setting', () => {
    expect(tenantPolicySql({ table: 'billing.invoices', column: 'org_id', columnType: 'uuid' })).toBe(
      [
        'alter table "billing"."invoices" enable row level security;',
        'alter table "billing"."invoices" force row level security;',
        `create policy "invoices_tenant_isolation" on "billing"."invoices" using ("org_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) with check ("org_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);`,
      ].join('\n'),
    );
  });

  it('quotes identifiers and refuses settings or types it cannot inline safely', () => {
    expect(tenantPolicySql({ table: 'we"ird' })).toContain('"we""ird"');
    expect(() => tenantPolicySql({ table: 't', setting: "app.x'); drop table t; --" })).toThrow(ConfigError);
    // @ts-expect-error not an allowed type, on purpose
    expect(() => tenantPolicySql({ table: 't', columnType: 'text; drop table t' })).toThrow(ConfigError);
  });
});

describe('tenantFilter options', () => {
  it('rejects an unknown mode or a malformed setting with a ConfigError (a programming mistake, not a 400)', () => {
    // @ts-expect-error not a mode, on purpose
    expect(() => tenantFilter({ mode: 'trust-me' })).toThrow(ConfigError);
    expect(() => tenantFilter({ setting: 'tenant' })).toThrow(ConfigError);
  });
});
