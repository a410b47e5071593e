// Medians over repetitions, ratios to pg.Pool from the same repetition, and the markdown
// tables. Pure (no I/O), unit-tested in bench/test.
import { median, ratio } from './stats.js';
import { type LibraryId, REFERENCE, type Sample, type WireCounts } from './types.js';

export interface Cell {
  readonly repetitions: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerOp: number;
  readonly peakRssMiB: number;
  readonly extra: Readonly<Record<string, number>>;
  readonly trace?: WireCounts;
  /** Medians of the per-repetition ratios to the reference (NaN without a reference sample). */
  readonly vsReference: {
    readonly throughput: number;
    readonly cpuUsPerOp: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly peakRssMiB: number;
  };
}

/** workload → library → cell */
export type Table = ReadonlyMap<string, ReadonlyMap<LibraryId, Cell>>;

/** A workload a library could not run (a failure, not a "–"), kept for the report and verdict. */
export interface Failure {
  readonly library: LibraryId;
  readonly workload: string;
  readonly reason: string;
}

const METRICS = ['throughput', 'cpuUsPerOp', 'p50Ms', 'p99Ms', 'peakRssMiB'] as const;

export function aggregate(samples: readonly Sample[]): Table {
  const table = new Map<string, Map<LibraryId, Cell>>();
  const groups = new Map<string, Sample[]>();
  for (const sample of samples) {
    const key = `${sample.workload}\u0000${sample.library}`;
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  const referenceOf = (workload: string, repetition: number) =>
    samples.find((s) => s.workload === workload && s.library === REFERENCE && s.repetition === repetition);
  for (const group of groups.values()) {
    const { workload, library } = group[0]!;
    const ratios = Object.fromEntries(
      METRICS.map((metric) => [
        metric,
        median(group.map((s) => ratio(s[metric], referenceOf(workload, s.repetition)?.[metric]))),
      ]),
    ) as Cell['vsReference'];
    const extraKeys = [...new Set(group.flatMap((s) => Object.keys(s.extra ?? {})))];
    const traced = group.find((s) => s.trace !== undefined)?.trace;
    const cell: Cell = {
      repetitions: group.length,
      throughput: median(group.map((s) => s.throughput)),
      p50Ms: median(group.map((s) => s.p50Ms)),
      p99Ms: median(group.map((s) => s.p99Ms)),
      cpuUsPerOp: median(group.map((s) => s.cpuUsPerOp)),
      peakRssMiB: median(group.map((s) => s.peakRssMiB)),
      extra: Object.fromEntries(extraKeys.map((key) => [key, median(group.map((s) => s.extra?.[key] ?? Number.NaN))])),
      ...(traced && { trace: traced }),
      vsReference: ratios,
    };
    if (!table.has(workload)) table.set(workload, new Map());
    table.get(workload)!.set(library, cell);
  }
  return table;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '–';
}

function formatNumber(value: number, digits = 0): string {
  return Number.isFinite(value)
    ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';
}

export interface ReportInput {
  readonly table: Table;
  readonly workloads: ReadonlyArray<{ readonly id: string; readonly label: string }>;
  readonly libraries: readonly LibraryId[];
  readonly failures: readonly Failure[];
}

function failed(input: ReportInput, workload: string, library: LibraryId): boolean {
  return input.failures.some((f) => f.workload === workload && f.library === library);
}

/**
 * The headline table, as in issue 12: throughput of each library as a ratio to pg.Pool
 * (whose cell shows its absolute rate), and data-layer's client CPU per op against pg's.
 */
export function formatSummary(input: ReportInput): string {
  const others = input.libraries.filter((library) => library !== REFERENCE);
  const header = ['workload', 'pg.Pool (ops/s)', ...others, 'client CPU/op, data-layer vs pg'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { id, label } of input.workloads) {
    const row = input.table.get(id);
    const reference = row?.get(REFERENCE);
    const cells = [label, failed(input, id, REFERENCE) ? 'FAIL' : formatNumber(reference?.throughput ?? Number.NaN)];
    for (const library of others)
      cells.push(
        failed(input, id, library) ? 'FAIL' : formatRatio(row?.get(library)?.vsReference.throughput ?? Number.NaN),
      );
    cells.push(formatRatio(row?.get('data-layer')?.vsReference.cpuUsPerOp ?? Number.NaN));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Every cell's medians: rate, latency, CPU and RSS, each with its ratio to pg.Pool. */
export function formatDetail(input: ReportInput): string {
  const header = [
    'workload',
    'library',
    'ops/s',
    'x pg',
    'p50 ms',
    'p99 ms',
    'CPU µs/op',
    'x pg',
    'peak RSS MiB',
    'notes',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { id } of input.workloads) {
    for (const library of input.libraries) {
      const cell = input.table.get(id)?.get(library);
      if (cell === undefined) continue;
      const notes: string[] = [];
      if (cell.extra.speedupOverSingles !== undefined)
        notes.push(`createMany ${formatRatio(cell.extra.speedupOverSingles)} single inserts`);
      if (cell.extra.rssGrowthMiB !== undefined)
        notes.push(`RSS growth ${formatNumber(cell.extra.rssGrowthMiB, 1)} MiB`);
      lines.push(
        `| ${[
          id,
          library,
          formatNumber(cell.throughput),
          formatRatio(cell.vsReference.throughput),
          formatNumber(cell.p50Ms, 2),
          formatNumber(cell.p99Ms, 2),
          formatNumber(cell.cpuUsPerOp, 1),
          formatRatio(cell.vsReference.cpuUsPerOp),
          formatNumber(cell.peakRssMiB),
          notes.join('; '),
        ].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

/** --trace: statements (simple Query + Execute), Parse messages and round trips (Query + Sync + Flush) per operation. */
export function formatTrace(input: ReportInput): string {
  const header = ['workload', 'library', 'statements/op', 'parses/op', 'round trips/op'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const { id } of input.workloads) {
    for (const library of input.libraries) {
      const trace = input.table.get(id)?.get(library)?.trace;
      if (trace === undefined) continue;
      lines.push(
        `| ${[id, library, formatNumber(trace.query + trace.execute, 2), formatNumber(trace.parse, 2), formatNumber(trace.query + trace.sync + trace.flush, 2)].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}
