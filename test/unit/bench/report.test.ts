import { describe, expect, it } from 'vitest';

import { aggregate, formatDetail, formatRatio, formatSummary, formatTrace } from '../../../bench/lib/report.js';
import type { LibraryId, Sample } from '../../../bench/lib/types.js';

function sample(
  library: LibraryId,
  workload: string,
  repetition: number,
  throughput: number,
  cpuUsPerOp = 100,
): Sample {
  return {
    library,
    workload,
    repetition,
    operations: 1_000,
    throughput,
    p50Ms: 1,
    p99Ms: 2,
    cpuUsPerOp,
    peakRssMiB: 80,
  };
}

describe('bench report', () => {
  it('ratios are medians of per-repetition ratios to pg.Pool from the same repetition', () => {
    // Drift: the machine halves in speed in repetition 2; data-layer is 2x pg in every repetition.
    const samples = [
      sample('pg-pool', 'w', 0, 1_000),
      sample('data-layer', 'w', 0, 2_000, 50),
      sample('pg-pool', 'w', 1, 1_000),
      sample('data-layer', 'w', 1, 2_000, 50),
      sample('pg-pool', 'w', 2, 100),
      sample('data-layer', 'w', 2, 200, 50),
    ];
    const cell = aggregate(samples).get('w')!.get('data-layer')!;
    expect(cell.repetitions).toBe(3);
    expect(cell.throughput).toBe(2_000);
    expect(cell.vsReference.throughput).toBe(2);
    expect(cell.vsReference.cpuUsPerOp).toBe(0.5);
    expect(aggregate(samples).get('w')!.get('pg-pool')!.vsReference.throughput).toBe(1);
  });

  it('a library without a reference sample in its repetition has no ratio', () => {
    const table = aggregate([sample('pg-pool', 'w', 0, 1_000), sample('kysely', 'w', 1, 900)]);
    expect(table.get('w')!.get('kysely')!.vsReference.throughput).toBeNaN();
  });

  it('medians of workload-specific extras', () => {
    const withExtra = (repetition: number, growth: number): Sample => ({
      ...sample('data-layer', 'stream', repetition, 1),
      extra: { rssGrowthMiB: growth },
    });
    const cell = aggregate([withExtra(0, 10), withExtra(1, 30), withExtra(2, 20)])
      .get('stream')!
      .get('data-layer')!;
    expect(cell.extra.rssGrowthMiB).toBe(20);
  });

  it('the summary shows pg.Pool absolute, others as ratios, "–" for a missing workload and FAIL for a failure', () => {
    const table = aggregate([
      sample('pg-pool', 'w', 0, 1_234),
      sample('data-layer', 'w', 0, 617, 200),
      sample('pg-pool', 'v', 0, 1_000),
    ]);
    const text = formatSummary({
      table,
      workloads: [
        { id: 'w', label: 'workload w' },
        { id: 'v', label: 'workload v' },
      ],
      libraries: ['pg-pool', 'kysely', 'data-layer'],
      failures: [{ library: 'data-layer', workload: 'v', reason: 'verification failed' }],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('| workload | pg.Pool (ops/s) | kysely | data-layer | client CPU/op, data-layer vs pg |');
    expect(lines[2]).toBe('| workload w | 1,234 | – | 0.50x | 2.00x |');
    expect(lines[3]).toBe('| workload v | 1,000 | – | FAIL | – |');
  });

  it('detail rows carry notes; trace rows count statements and round trips', () => {
    const traced: Sample = {
      ...sample('pg-pool', 'w', 0, 1_000),
      extra: { speedupOverSingles: 12.5 },
      trace: { query: 2, parse: 2, bind: 2, execute: 2, sync: 2, flush: 1 },
    };
    const input = {
      table: aggregate([traced]),
      workloads: [{ id: 'w', label: 'w' }],
      libraries: ['pg-pool'] as LibraryId[],
      failures: [],
    };
    expect(formatDetail(input)).toContain(
      '| w | pg-pool | 1,000 | 1.00x | 1.00 | 2.00 | 100.0 | 1.00x | 80 | createMany 12.50x single inserts |',
    );
    expect(formatTrace(input).split('\n')[2]).toBe('| w | pg-pool | 4.00 | 2.00 | 5.00 |');
    expect(formatRatio(Number.NaN)).toBe('–');
  });
});
