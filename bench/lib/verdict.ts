// The short mode's verdict for CI: red only on a ratio far outside issue 12's targets, so
// the noise of a shared machine never fails a build. Pure, unit-tested in bench/test.
import type { Failure, Table } from './report.js';

/** data-layer below a quarter of pg.Pool's throughput on any workload. */
export const MIN_THROUGHPUT_RATIO = 0.25;
/** createMany below 3x the rows/s of single inserts (target 10x). */
export const MIN_CREATE_MANY_SPEEDUP = 3;
/** Streaming growing RSS by more than 4x the 64 MiB target. */
export const MAX_STREAM_RSS_GROWTH_MIB = 256;

export interface Verdict {
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** Workloads whose figures (not failures) are outside a floor: worth measuring again. */
  readonly outside: readonly string[];
}

export function shortVerdict(table: Table, failures: readonly Failure[]): Verdict {
  const problems = failures.map((f) => `${f.library} ${f.workload} failed: ${f.reason.split('\n')[0]}`);
  const outside = new Set<string>();
  const outsideProblem = (workload: string, message: string) => {
    outside.add(workload);
    problems.push(`data-layer ${workload}: ${message}`);
  };
  for (const [workload, row] of table) {
    const cell = row.get('data-layer');
    if (cell === undefined) continue;
    const throughput = cell.vsReference.throughput;
    if (!(throughput >= MIN_THROUGHPUT_RATIO))
      outsideProblem(workload, `${throughput.toFixed(2)}x pg.Pool throughput (floor ${MIN_THROUGHPUT_RATIO}x)`);
    const speedup = cell.extra.speedupOverSingles;
    if (speedup !== undefined && !(speedup >= MIN_CREATE_MANY_SPEEDUP))
      outsideProblem(workload, `createMany ${speedup.toFixed(1)}x single inserts (floor ${MIN_CREATE_MANY_SPEEDUP}x)`);
    const growth = cell.extra.rssGrowthMiB;
    if (growth !== undefined && !(growth <= MAX_STREAM_RSS_GROWTH_MIB))
      outsideProblem(
        workload,
        `RSS grew ${growth.toFixed(0)} MiB while streaming (ceiling ${MAX_STREAM_RSS_GROWTH_MIB} MiB)`,
      );
  }
  return { ok: problems.length === 0, problems, outside: [...outside] };
}
