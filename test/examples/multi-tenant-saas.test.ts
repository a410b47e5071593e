import { request as httpRequest } from 'node:http';

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import type { SaasDB } from '../../examples/multi-tenant-saas/schema.js';
import { type RunningSaas, startSaas } from '../../examples/multi-tenant-saas/service.js';
import { saasSession } from '../../examples/multi-tenant-saas/session.js';
import { createClient } from '../../examples/shared/client.js';
import { isRealServer, useTestDatabase } from '../support/test-database.js';

// RLS needs a role that is not a superuser: the example's migration creates it, named per run here.
const t = useTestDatabase<SaasDB>('example_saas');
const appRole = { name: `saas_app_${process.pid}_${Date.now() % 100_000}`, password: 'test-only' };
let service: RunningSaas;
const as = (domain: string) => ({ 'x-forwarded-host': domain });
const api = () => createClient(service.url, () => {}).request;

describe.runIf(isRealServer())('examples/multi-tenant-saas over HTTP', () => {
  beforeAll(async () => {
    const appConnection = () => {
      const url = new URL(inject('databaseUrl'));
      url.username = appRole.name;
      url.password = appRole.password;
      return { connectionString: url.toString(), searchPath: [t.schema] };
    };
    service = await startSaas({ db: t.db, appConnection, appRole, schema: t.schema });
  });
  afterAll(async () => {
    await service?.close();
    for (const tenant of ['acme', 'globex', 'initech'])
      await sql`drop schema if exists ${sql.id(`${t.schema}_${tenant}`)} cascade`.execute(t.db.kysely);
    await sql`drop owned by ${sql.id(appRole.name)}`.execute(t.db.kysely);
    await sql`drop role if exists ${sql.id(appRole.name)}`.execute(t.db.kysely);
  });

  it('isolates tenants by the Host header, enforced by row-level security', async () => {
    const request = api();
    expect(await request('POST', '/projects', { name: 'Anvils' }, as('acme.localhost'))).toMatchObject({
      status: 201,
      body: { tenant_id: 'acme' },
    });
    const acme = await request<Array<{ name: string; tenant_id: string }>>(
      'GET',
      '/projects',
      undefined,
      as('acme.localhost'),
    );
    expect(acme.body.map((project) => project.name)).toEqual(['Getting started', 'Anvils']);
    const globex = await request<Array<{ tenant_id: string }>>('GET', '/projects', undefined, as('globex.localhost'));
    expect(globex.body.map((project) => project.tenant_id)).toEqual(['globex']);
    // The app role really is subject to RLS: without a tenant setting it sees nothing at all.
    const unscoped = await sql<{ n: number }>`select count(*)::int as n from projects`.execute(service.appDb.kysely);
    expect(unscoped.rows[0]!.n).toBe(0);
  });

  it('takes the tenant from a real Host header too', async () => {
    const { port } = new URL(service.url);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/projects', headers: { host: `globex.localhost:${port}` } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect((JSON.parse(body) as Array<{ tenant_id: string }>).every((project) => project.tenant_id === 'globex')).toBe(
      true,
    );
  });

  it("writes each tenant's activity into its own schema, migrated by migrateTenants", async () => {
    const request = api();
    await request('POST', '/projects', { name: 'Widgets' }, as('globex.localhost'));
    const activity = await request<Array<{ action: string }>>('GET', '/activity', undefined, as('globex.localhost'));
    expect(activity.body.map((row) => row.action)).toEqual([expect.stringMatching(/^project \d+ created$/)]);
    const health = await request<{
      status: string;
      pool: { max: number };
      migrations: { latest: string; pending: number };
      tenants: Record<string, Record<string, string>>;
    }>('GET', '/health');
    expect(health.body).toMatchObject({ status: 'up', migrations: { latest: '0003_grant_app_role', pending: 0 } });
    expect(health.body.tenants).toEqual(
      Object.fromEntries(
        ['acme', 'globex', 'initech'].map((id) => [`${t.schema}_${id}`, { '0001_create_activity': 'applied' }]),
      ),
    );
    expect(health.body.pool.max).toBeGreaterThan(0);
  });

  it('seeds with a DatabaseSeeder that runs the tenants seeder and a TenantSeeder per tenant', async () => {
    const seeded = await sql<{
      name: string;
      tenant: string;
    }>`select name, tenant from ${sql.table(`${t.schema}.data_layer_seeds`)} order by name, tenant`.execute(
      t.db.kysely,
    );
    expect(seeded.rows).toEqual([
      { name: 'saas:database', tenant: '' },
      { name: 'saas:tenant-base', tenant: 'acme' },
      { name: 'saas:tenant-base', tenant: 'globex' },
      { name: 'saas:tenant-base', tenant: 'initech' },
      { name: 'saas:tenants', tenant: '' },
    ]);
  });

  it('answers unknown (404), suspended (403), duplicate (409) and invalid (400) with typed errors', async () => {
    const request = api();
    expect(await request('GET', '/projects', undefined, as('nobody.localhost'))).toMatchObject({
      status: 404,
      body: { error: { code: 'UNKNOWN_TENANT' } },
    });
    expect(await request('GET', '/projects', undefined, as('initech.localhost'))).toMatchObject({
      status: 403,
      body: { error: { name: 'TenantSuspendedError' } },
    });
    expect(await request('POST', '/projects', { name: 'Getting started' }, as('acme.localhost'))).toMatchObject({
      status: 409,
      body: { error: { name: 'ConflictError' } },
    });
    expect(await request('POST', '/projects', { name: '' }, as('acme.localhost'))).toMatchObject({
      status: 400,
      body: { error: { name: 'ValidationError' } },
    });
  });

  it('runs the scripted session of `npm run example -- multi-tenant-saas` to the end', async () => {
    const lines: string[] = [];
    await saasSession(service.url, (line) => lines.push(line));
    expect(lines.join('\n')).toContain('403 TenantSuspendedError');
    expect(lines.some((line) => / -> 5\d\d /.test(line))).toBe(false);
  });
});
