import { createClient, type Print } from '../shared/client.js';

/** The scripted session `npm run example -- multi-tenant-saas` runs: the tenant comes from the Host header. */
export async function saasSession(baseUrl: string, print: Print = console.log): Promise<void> {
  const { request } = createClient(baseUrl, print);
  const as = (domain: string) => ({ 'x-forwarded-host': domain }); // fetch does not let us set Host itself

  print('Each tenant sees only its own projects (row-level security, tenant from the Host header):');
  await request('POST', '/projects', { name: 'Rocket skates' }, as('acme.localhost'));
  await request('GET', '/projects', undefined, as('acme.localhost'));
  await request('GET', '/projects', undefined, as('globex.localhost'));
  await request('POST', '/projects', { name: 'Rocket skates' }, as('globex.localhost')); // same name, other tenant: fine
  await request('POST', '/projects', { name: 'Rocket skates' }, as('acme.localhost')); // same tenant: 409

  print("Each tenant's own schema (migrated by migrateTenants):");
  await request('GET', '/activity', undefined, as('acme.localhost'));

  print('Unknown and suspended tenants:');
  await request('GET', '/projects', undefined, as('nobody.localhost'));
  await request('GET', '/projects', undefined, as('initech.localhost'));

  const health = await request<{ migrations: unknown; tenants: unknown; pool: unknown }>('GET', '/health');
  print(`Migrations: ${JSON.stringify(health.body.migrations)}`);
  print(`Tenant schemas: ${JSON.stringify(health.body.tenants)}`);
  print(`Pool: ${JSON.stringify(health.body.pool)}`);
}
