import { TransactionError } from '../../errors/application-errors.js';
import { ValidationError } from '../../errors/application-errors.js';
import type { RepositoryDescriptor, RepositoryMiddleware, RepositoryOperation } from '../repository-middleware.js';
import { currentTenant, requireTenant, requireTenantFrame, type TenantId } from './tenant-context.js';
import { checkedTenantFilterOptions, type TenantFilterOptions } from './tenant-filter-options.js';

export type { TenantFilterOptions } from './tenant-filter-options.js';

/**
 * Tenant isolation that fails closed: with no tenant in context every operation of a
 * tenant-scoped repository throws `TenantRequiredError` before any SQL. Opt a repository
 * out explicitly with `skipMiddleware: ['tenant']` (shared reference tables).
 *
 * @example
 * ```ts
 * const db = createDatabase<DB>({ middleware: [cache({ store, ttlSeconds: 60, keyPrefix: 'app:' }), tenantFilter({ mode: 'both' })] })
 * await withTenant('acme', () => orders.findMany())
 * ```
 */
export function tenantFilter(options: TenantFilterOptions = {}): RepositoryMiddleware {
  checkedTenantFilterOptions(options);
  const mode = options.mode ?? 'filter';
  const setting = options.setting ?? 'app.tenant_id';
  const columnOf = (repository: RepositoryDescriptor) => repository.tenantColumn ?? options.column ?? 'tenant_id';

  return {
    name: 'tenant',
    // rls/both: every statement in a transaction, raw SQL included, runs with the tenant
    // of its own context ('' with none: fails closed), whatever scope it lands in.
    ...(mode === 'filter' ? {} : { statementSetting: () => ({ name: setting, value: String(currentTenant() ?? '') }) }),
    requiredColumns: (repository) => [columnOf(repository)],
    scope({ kind, repository, database }) {
      const tenant = requireTenant(`"${repository.table}".${kind}`);
      // In rls mode the database filters; the in-memory fake has no database, so it filters.
      return mode === 'rls' && database ? undefined : { [columnOf(repository)]: tenant };
    },
    async handle(operation, next) {
      const session = operation.session;
      if (mode === 'filter' || session === undefined) return next();
      const frame = requireTenantFrame(`"${operation.table}".${operation.kind}`);
      if (operation.definition.input !== undefined)
        stampInputs(operation, columnOf(operation.repository), frame.tenant);
      // Which connection setting is in force, and for how long, is decided per scope by
      // the session (no per-handle cache here): a transaction opened under this tenant
      // is set once; a tenant switched inside an open transaction gets a savepoint that
      // puts the outer value back, so nothing of this tenant stays visible after it.
      const local = { name: setting, value: String(frame.tenant), since: frame.since };
      if (operation.kind === 'stream' && !session.joinsAmbient(local)) {
        // The rows are read after this call returns, so a savepoint cannot wrap them.
        throw new TransactionError(
          operation.transaction === undefined
            ? `stream() with tenantFilter({ mode: '${mode}' }) must run inside db.transaction(): the tenant setting lives in a transaction`
            : `stream() with tenantFilter({ mode: '${mode}' }) must run in a transaction opened under its tenant: withTenant(id, () => db.transaction(...)) around the loop`,
        );
      }
      return session.withLocalSetting(local, next);
    },
  };
}

/** RLS mode adds no filter, so creates are stamped here (and a foreign tenant is refused). */
function stampInputs(operation: RepositoryOperation, column: string, tenant: TenantId): void {
  const stamp = (input: unknown) => {
    if (typeof input !== 'object' || input === null) return input;
    const given = (input as Record<string, unknown>)[column];
    const sameTenant =
      (typeof given === 'string' || typeof given === 'number' || typeof given === 'bigint') &&
      String(given) === String(tenant);
    if (given !== undefined && !sameTenant) {
      throw new ValidationError(`"${operation.table}.${column}" must be the current tenant`, [
        { path: [column], message: 'another tenant', code: 'scope_violation' },
      ]);
    }
    return { ...input, [column]: tenant };
  };
  const { input, args: names } = operation.definition;
  const index = names.indexOf(input === 'rows' ? 'inputs' : 'input');
  const args = [...operation.args];
  const given = args[index];
  args[index] = input === 'rows' && Array.isArray(given) ? given.map(stamp) : stamp(given);
  operation.args = args;
}
