import type { OperationKind, RepositoryDescriptor, RepositoryMiddleware, RepositoryOperation, TransactionHooks } from './repository-middleware.js';

/** The merged scope of a chain for one operation; middleware order decides conflicts (later wins). */
export function collectScope(
  middleware: readonly RepositoryMiddleware[],
  context: { kind: OperationKind | 'query'; repository: RepositoryDescriptor },
): Record<string, unknown> {
  const scope: Record<string, unknown> = {};
  for (const each of middleware) Object.assign(scope, each.scope?.(context));
  return scope;
}

/**
 * Runs `operation` through the chain, first middleware outermost, ending in `execute`
 * (the repository's own implementation, which reads the possibly rewritten args).
 * With no middleware this is a single call, so an empty chain costs nothing measurable.
 */
export function runMiddleware<T>(
  middleware: readonly RepositoryMiddleware[],
  init: { kind: OperationKind; args: unknown[]; repository: RepositoryDescriptor; transaction: TransactionHooks | undefined },
  execute: (operation: RepositoryOperation) => Promise<T>,
): Promise<T> {
  const operation: RepositoryOperation = {
    kind: init.kind,
    table: init.repository.table,
    args: init.args,
    repository: init.repository,
    scope: middleware.length === 0 ? EMPTY_SCOPE : Object.freeze(collectScope(middleware, { kind: init.kind, repository: init.repository })),
    transaction: init.transaction,
  };
  const dispatch = (index: number): Promise<unknown> => {
    const next = middleware[index];
    if (next === undefined) return execute(operation);
    if (next.handle === undefined) return dispatch(index + 1);
    let called = false;
    return next.handle(operation, () => {
      if (called) return Promise.reject(new Error(`middleware "${next.name}" called next() twice`));
      called = true;
      return dispatch(index + 1);
    });
  };
  return dispatch(0) as Promise<T>;
}

const EMPTY_SCOPE: Readonly<Record<string, unknown>> = Object.freeze({});
