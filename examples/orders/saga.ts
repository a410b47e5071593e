import type { DatabaseTransaction } from '@org/data-layer';

/**
 * One step of a saga. Database work needs no `compensate`: the transaction's rollback undoes
 * it. Calls to other systems (a payment provider, a courier) cannot be rolled back, so
 * they name the call that undoes them.
 */
export interface SagaStep<C> {
  readonly name: string;
  execute(context: C): Promise<void>;
  compensate?(context: C): Promise<void>;
}

/**
 * Runs `steps` in order inside the transaction `tx`. When a step throws, the transaction
 * rolls back and, from its `afterRollback` hook, the steps that completed are compensated
 * in reverse order. The hook is registered per attempt, so a serialization retry first
 * undoes what the failed attempt did, then runs every step again.
 */
export async function runSaga<DB, C>(
  tx: DatabaseTransaction<DB>,
  steps: readonly SagaStep<C>[],
  context: C,
  log: (line: string) => void = () => {},
): Promise<void> {
  const completed: SagaStep<C>[] = [];
  tx.afterRollback(async () => {
    for (const step of completed.reverse()) {
      if (!step.compensate) continue;
      log(`compensate ${step.name}`);
      // One failing compensation must not stop the others (a real service would also alert).
      await step
        .compensate(context)
        .catch((error: unknown) => log(`compensation ${step.name} failed: ${String(error)}`));
    }
  });
  for (const step of steps) {
    log(`execute ${step.name}`);
    await step.execute(context);
    completed.push(step);
  }
}
