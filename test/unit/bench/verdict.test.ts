import { describe, expect, it } from 'vitest';

import { aggregate } from '../../../bench/lib/report.js';
import type { LibraryId, Sample } from '../../../bench/lib/types.js';
import { shortVerdict } from '../../../bench/lib/verdict.js';

function sample(library: LibraryId, workload: string, throughput: number, extra?: Record<string, number>): Sample {
  return {
    library,
    workload,
    repetition: 0,
    operations: 100,
    throughput,
    p50Ms: 1,
    p99Ms: 2,
    cpuUsPerOp: 10,
    peakRssMiB: 80,
    ...(extra && { extra }),
  };
}

describe('short-mode verdict', () => {
  it('passes a slow but not far-off data-layer', () => {
    const table = aggregate([sample('pg-pool', 'w', 1_000), sample('data-layer', 'w', 300)]);
    expect(shortVerdict(table, [])).toEqual({ ok: true, problems: [], outside: [] });
  });

  it('fails a data-layer throughput under a quarter of pg.Pool and names the workload', () => {
    const table = aggregate([
      sample('pg-pool', 'w', 1_000),
      sample('data-layer', 'w', 200),
      sample('pg-pool', 'v', 1_000),
      sample('data-layer', 'v', 900),
    ]);
    const verdict = shortVerdict(table, []);
    expect(verdict.ok).toBe(false);
    expect(verdict.outside).toEqual(['w']);
    expect(verdict.problems).toEqual(['data-layer w: 0.20x pg.Pool throughput (floor 0.25x)']);
  });

  it('fails a data-layer figure without a pg.Pool reference (NaN is never within a floor)', () => {
    const verdict = shortVerdict(aggregate([sample('data-layer', 'w', 1_000)]), []);
    expect(verdict.ok).toBe(false);
    expect(verdict.outside).toEqual(['w']);
  });

  it('fails createMany under 3x single inserts, and passes it at 3x', () => {
    const at = (speedup: number) =>
      shortVerdict(
        aggregate([sample('pg-pool', 'c', 10_000), sample('data-layer', 'c', 10_000, { speedupOverSingles: speedup })]),
        [],
      );
    expect(at(2.9).ok).toBe(false);
    expect(at(2.9).problems[0]).toContain('createMany 2.9x single inserts');
    expect(at(3).ok).toBe(true);
  });

  it('fails streaming RSS growth beyond 256 MiB', () => {
    const at = (growth: number) =>
      shortVerdict(aggregate([sample('pg-pool', 's', 1), sample('data-layer', 's', 1, { rssGrowthMiB: growth })]), []);
    expect(at(300).ok).toBe(false);
    expect(at(200).ok).toBe(true);
  });

  it('fails on any failed workload (a verification, a crash), of any library', () => {
    const table = aggregate([sample('pg-pool', 'w', 1_000), sample('data-layer', 'w', 1_000)]);
    const verdict = shortVerdict(table, [
      { library: 'pg-pool', workload: 'w', reason: 'verification failed: 3 rows\nstack' },
    ]);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual(['pg-pool w failed: verification failed: 3 rows']);
    expect(verdict.outside).toEqual([]);
  });
});
