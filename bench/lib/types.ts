// Shapes shared by the orchestrator (run.ts), the child (child.ts) and the pure report code.
// No imports: this file is type-checked and unit-tested without the bench's own dependencies.

export const LIBRARIES = ['pg-pool', 'pg-named', 'kysely', 'postgres.js', 'data-layer'] as const;
export type LibraryId = (typeof LIBRARIES)[number];
/** The reference every ratio divides by. */
export const REFERENCE: LibraryId = 'pg-pool';

/** One measured window of one workload on one library. */
export interface Sample {
  readonly library: LibraryId;
  readonly workload: string;
  readonly repetition: number;
  /** Operations completed in the window (rows for row-rate workloads). */
  readonly operations: number;
  /** Operations (or rows) per second. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Client CPU (user + system) per operation, in microseconds. */
  readonly cpuUsPerOp: number;
  /** Peak resident set size seen during the window, in MiB. */
  readonly peakRssMiB: number;
  /** Workload-specific figures (stream RSS growth, createMany ÷ single inserts, ...). */
  readonly extra?: Readonly<Record<string, number>>;
  /** Wire trace (--trace): protocol messages per operation. */
  readonly trace?: WireCounts;
}

/** Frontend protocol messages, per operation when reported. */
export interface WireCounts {
  /** Simple-protocol queries ('Q'). */
  readonly query: number;
  readonly parse: number;
  readonly bind: number;
  readonly execute: number;
  /** Sync messages ('S'): with 'Q', one ReadyForQuery each. */
  readonly sync: number;
  /** Flush ('H'): a cursor's fetch (Execute with a row limit) waits on one. Round trips = Q + S + H. */
  readonly flush: number;
}

/** What a child process reports back for one workload. */
export type ChildOutcome =
  | { readonly ok: true; readonly sample: Sample }
  | {
      readonly ok: false;
      readonly library: LibraryId;
      readonly workload: string;
      readonly skipped: boolean;
      readonly reason: string;
    };
