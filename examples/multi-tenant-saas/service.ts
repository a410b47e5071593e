import {
  BaseRepository,
  createDatabase,
  createMigrator,
  type Database,
  type DatabaseOptions,
  DataLayerError,
  migrateTenants,
  runSeeders,
  tenantFilter,
  withTenant,
} from '@org/data-layer';
import { z } from 'zod';

import { freePort } from '../shared/database.js';
import { created, type Handler, HttpError, ok, parse, type Request, type Route, serve } from '../shared/http.js';
import { type AppRole, sharedMigrations, tenantMigrations } from './migrations.js';
import type { SaasDB, Tenant } from './schema.js';
import { databaseSeeder, tenantBaseSeeder, tenantsSeeder } from './seeders.js';
import { TenantRepository } from './tenant-repository.js';

export class TenantSuspendedError extends DataLayerError {
  override readonly name = 'TenantSuspendedError' as const;
  readonly code = 'TENANT_SUSPENDED';
  readonly statusCode = 403;
}

export interface SaasOptions {
  /** The owner's connection (migrations, seeders); by default `DATABASE_URL` or the embedded server. */
  db?: Database<SaasDB>;
  /** How the application role connects, given its name and password (required with `db`). */
  appConnection?: (role: AppRole) => DatabaseOptions;
  /** @default { name: 'saas_app', password: 'saas-app-dev-only' } */
  appRole?: AppRole;
  /** Schema of the shared tables. @default 'public' */
  schema?: string;
  port?: number;
}

export interface RunningSaas {
  readonly url: string;
  /** The requests' handle: the application role, with tenantFilter({ mode: 'rls' }). */
  readonly appDb: Database<SaasDB>;
  close(): Promise<void>;
}

const newProject = z.object({ name: z.string().trim().min(1).max(100) });

/** Migrates the shared schema and every tenant schema, seeds, and serves tenant-scoped requests. */
export async function startSaas(options: SaasOptions = {}): Promise<RunningSaas> {
  const appRole = options.appRole ?? { name: 'saas_app', password: 'saas-app-dev-only' };
  const { db, appConnection } = options.db
    ? { db: options.db, appConnection: options.appConnection! }
    : await openOwnDatabase();
  const schema = options.schema ?? 'public';

  const migrator = createMigrator(db, { migrations: sharedMigrations(appRole), schema });
  await migrator.latest();
  await runSeeders(db, [tenantsSeeder(schema)], { environment: 'development', schema });
  const tenantSchemas = async () =>
    (await db.kysely.selectFrom('tenants').select('schema_name').orderBy('id').execute()).map((row) => row.schema_name);
  const tenantReport = await migrateTenants(db, {
    migrations: tenantMigrations(appRole),
    tenants: tenantSchemas,
    concurrency: 2,
    stopOnError: true,
  });
  // The tenant list is read before the seeders' transaction, so tenants are seeded in a run of their own (above).
  const tenantIds = async () =>
    (await db.kysely.selectFrom('tenants').select('id').orderBy('id').execute()).map((row) => row.id);
  await runSeeders(db, [tenantsSeeder(schema), tenantBaseSeeder, databaseSeeder], {
    environment: 'development',
    schema,
    tenants: tenantIds,
  });

  const appDb = createDatabase<SaasDB>({
    ...appConnection(appRole),
    logger: 'warn',
    middleware: [tenantFilter({ mode: 'rls' })],
  });
  const tenants = new TenantRepository(appDb);
  const projects = new BaseRepository(appDb, { table: 'projects' });

  /** Resolves the tenant from the Host header and runs the handler inside `withTenant`. */
  const tenantScoped =
    (handler: (request: Request, tenant: Tenant) => Promise<ReturnType<typeof ok>>): Handler =>
    async (request) => {
      const host = requestHost(request);
      const tenant = await tenants.findByDomain(host);
      if (!tenant) throw new HttpError(404, 'UNKNOWN_TENANT', `No tenant serves ${host}`);
      if (!tenants.isActive(tenant)) throw new TenantSuspendedError(`Tenant ${tenant.id} is suspended`);
      return withTenant(tenant.id, () => handler(request, tenant));
    };

  const routes: Route[] = [
    ['GET', '/projects', tenantScoped(async () => ok(await projects.findMany({ orderBy: 'id' })))],
    [
      'POST',
      '/projects',
      tenantScoped(async (request, tenant) => {
        const input = parse(newProject, await request.json(), 'project');
        return created(
          await appDb.transaction(async (tx) => {
            const project = await projects.create({ ...input, tenant_id: tenant.id }); // another tenant's id is refused (400), and RLS checks it too
            await tx
              .withSchema(tenant.schema_name)
              .insertInto('activity')
              .values({ action: `project ${project.id} created` })
              .execute();
            return project;
          }),
        );
      }),
    ],
    [
      'GET',
      '/activity',
      tenantScoped(async (_request, tenant) =>
        ok(
          await appDb.kysely.withSchema(tenant.schema_name).selectFrom('activity').selectAll().orderBy('id').execute(),
        ),
      ),
    ],
    [
      'GET',
      '/health',
      async () => {
        const health = await appDb.health();
        return ok({
          status: health.status,
          pool: appDb.metrics().pool,
          migrations: await migrator.summary(),
          tenants: tenantReport.matrix,
        });
      },
    ],
  ];

  const server = await serve(routes, options.port);
  return {
    url: server.url,
    appDb,
    close: async () => {
      await server.close();
      await appDb.close();
      if (!options.db) await db.close();
    },
  };
}

/**
 * The host the client asked for. Behind a reverse proxy (and from `fetch`, which may not set
 * `Host`) it arrives in `X-Forwarded-Host`; accept that header only where a proxy you run sets it.
 */
function requestHost(request: Request): string {
  const forwarded = request.headers['x-forwarded-host'];
  return (Array.isArray(forwarded) ? forwarded[0] : forwarded) ?? request.headers.host ?? '';
}

/** `DATABASE_URL`, or an embedded server on a port we pick, so the app role can connect too. */
async function openOwnDatabase(): Promise<{ db: Database<SaasDB>; appConnection: (role: AppRole) => DatabaseOptions }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const asRole = (role: AppRole) =>
      Object.assign(new URL(url), { username: role.name, password: role.password }).toString();
    return {
      db: createDatabase<SaasDB>({ connectionString: url, logger: 'warn' }),
      appConnection: (role) => ({ connectionString: asRole(role) }),
    };
  }
  const port = await freePort();
  const db = createDatabase<SaasDB>({ embedded: { port }, logger: 'warn' });
  return {
    db,
    appConnection: (role) => ({
      host: '127.0.0.1',
      port,
      database: 'postgres',
      user: role.name,
      password: role.password,
    }),
  };
}
