import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  operations: number;
  wallMs: number;
  cpuMs: number;
}

/** Runs `operation` `count` times (sequentially) after a warm-up and reports wall and CPU time. */
export async function measure(
  name: string,
  count: number,
  operation: (index: number) => Promise<unknown>,
  warmup = Math.min(200, count),
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await operation(i);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await operation(warmup + i);
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { name, operations: count, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** One line per measurement: per-operation wall and CPU time and both ratios to the baseline. */
export function report(title: string, baseline: Measurement, others: readonly Measurement[]): void {
  const perOp = (m: Measurement, field: 'wallMs' | 'cpuMs') => (m[field] / m.operations) * 1000;
  const rows = [baseline, ...others].map((m) => ({
    case: m.name,
    'µs/op (wall)': perOp(m, 'wallMs').toFixed(1),
    'µs/op (cpu)': perOp(m, 'cpuMs').toFixed(1),
    'wall × baseline': (perOp(m, 'wallMs') / perOp(baseline, 'wallMs')).toFixed(2),
    'cpu × baseline': (perOp(m, 'cpuMs') / perOp(baseline, 'cpuMs')).toFixed(2),
  }));
  console.log(`\n${title} (baseline: ${baseline.name})`);
  console.table(rows);
}
