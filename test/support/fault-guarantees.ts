import { expect } from 'vitest';

import type { Database } from '../../src/index.js';
import {
  adminClient,
  checkAtomicity,
  errorCounts,
  type LoadDB,
  type LoadReport,
  runMixedLoad,
  sessionsByState,
} from './mixed-load.js';

/** Errors an in-flight operation may fail with while the server restarts or a backend is killed. */
const FAULT_ERRORS = new Set(['ConnectionError']);

export interface FaultOutcome {
  operations: number;
  /** Failed because the connection they were using was cut (the rest: no connection could be opened). */
  inFlightFailures: number;
  errors: Record<string, number>;
  slowestFailureMs: number;
  transactions: { committed: number; failed: number; ambiguousCommitted: number };
  sessions: Record<string, number>;
}

/**
 * The guarantees every fault test checks once the load stopped: no call hung past its
 * bound, every failure a typed `ConnectionError` within the bound, reads saw their own
 * writes, every transaction id all-or-nothing row by row, the same `db` handle works
 * again, and no session of the pool is left active or idle in transaction.
 */
export async function expectFaultGuarantees(options: {
  db: Database<LoadDB>;
  connectionString: string;
  applicationName: string;
  report: LoadReport;
  boundMs: number;
  /** When the fault was over: calls started from then on must all succeed. */
  recoveredAt: number;
}): Promise<FaultOutcome> {
  const { db, report, boundMs } = options;
  const errors = errorCounts(report.operations);
  const failures = report.operations.filter((each) => each.error !== undefined);
  const slowestFailureMs = Math.max(0, ...failures.map((each) => each.ms));
  expect(slowestFailureMs).toBeLessThan(boundMs);
  expect(report.hung, 'operations still pending after the bound').toBe(0);
  expect(
    Object.keys(errors).filter((name) => !FAULT_ERRORS.has(name)),
    `error classes seen: ${JSON.stringify(errors)}`,
  ).toEqual([]);
  expect(errors.ConnectionError ?? 0, 'the fault must have hit in-flight operations').toBeGreaterThan(0);
  const inFlightFailures = failures.filter((each) => each.connection === 'lost').length;
  expect(inFlightFailures, 'calls whose connection was cut while in use').toBeGreaterThan(0);
  const afterRecovery = report.operations.filter((each) => each.startedAt >= options.recoveredAt);
  expect(afterRecovery.length, 'calls after the fault was over').toBeGreaterThan(0);
  expect(errorCounts(afterRecovery), 'errors of calls started after the fault was over').toEqual({});
  expect(report.wrongReads).toBe(0);
  expect(report.committed.size, 'transactions committed before and after the fault').toBeGreaterThan(0);

  // The same handle recovers: a round of work with no error at all.
  await expect
    .poll(async () => (await db.health({ timeoutMs: 1_000 })).status, { timeout: 10_000, interval: 100 })
    .toBe('up');
  let stopAfter = 0;
  const recovery = await runMixedLoad({ db, workers: 3, stop: () => ++stopAfter > 30, boundMs, label: 'recovery' });
  expect(errorCounts(recovery.operations), 'errors after recovery').toEqual({});
  expect(recovery.hung).toBe(0);

  const admin = await adminClient(options.connectionString);
  try {
    const merged: LoadReport = {
      ...report,
      committed: new Set([...report.committed, ...recovery.committed]),
      failed: new Map([...report.failed, ...recovery.failed]),
    };
    const atomicity = await checkAtomicity(admin, merged);
    expect(atomicity.partial, 'transaction ids with some but not all rows').toEqual([]);
    expect(atomicity.rolledBackRowsPresent).toBe(0);
    expect(atomicity.committedButMissing).toEqual([]);
    expect(atomicity.failedButPresent).toEqual([]);

    expect(db.metrics().pool).toMatchObject({ active: 0, waiting: 0 });
    const sessions = await sessionsByState(admin, options.applicationName);
    const busy = Object.entries(sessions).filter(([state]) => state !== 'idle');
    expect(busy, `sessions of the pool by state: ${JSON.stringify(sessions)}`).toEqual([]);
    expect(sessions.idle ?? 0).toBeLessThanOrEqual(db.metrics().pool.max);
    return {
      operations: report.operations.length,
      inFlightFailures,
      errors,
      slowestFailureMs,
      transactions: {
        committed: report.committed.size,
        failed: report.failed.size,
        ambiguousCommitted: atomicity.ambiguousCommitted,
      },
      sessions,
    };
  } finally {
    await admin.end();
  }
}
