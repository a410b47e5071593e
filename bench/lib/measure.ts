// Runs one workload's window in the child: warm-up, then the measured window with latency,
// client CPU (process.cpuUsage) and peak RSS (sampled) recorded. Node built-ins only.
import { performance } from 'node:perf_hooks';

import type { Adapter } from '../adapters/adapter.js';
import { quantile } from './stats.js';
import type { Workload } from './workloads.js';

export interface Window {
  readonly warmupMs: number;
  readonly measureMs: number;
}

export interface Measured {
  readonly operations: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuUsPerOp: number;
  readonly peakRssMiB: number;
  readonly extra?: Record<string, number>;
  /** Operations between onWindow and the end (--trace divides its counts by these). */
  readonly windowOperations: number;
}

/** Called right before the measured window starts (after warm-up): trace and profile hook in here. */
export type OnWindow = () => Promise<void>;
const nothing: OnWindow = () => Promise.resolve();

const MiB = 1024 * 1024;

/** Samples RSS every 50 ms until stopped (each reading costs ~0.1 ms of CPU); the peak includes the final reading. */
function rssSampler(): { stop: () => number; startMiB: number } {
  const startMiB = process.memoryUsage.rss() / MiB;
  let peak = startMiB;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss() / MiB);
  }, 50);
  return {
    startMiB,
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss() / MiB);
    },
  };
}

function cpuUs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** `inFlight` loops, each awaiting one operation at a time until the deadline. */
async function loops(
  inFlight: number,
  durationMs: number,
  op: (i: number) => Promise<unknown>,
  latencies?: number[],
): Promise<number> {
  const deadline = performance.now() + durationMs;
  let next = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const i = next++;
      const started = performance.now();
      await op(i);
      latencies?.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return next;
}

export async function measureOps(
  workload: Workload,
  adapter: Adapter,
  window: Window,
  tag: string,
  onWindow = nothing,
): Promise<Measured> {
  const run = workload.run!;
  // Warm-up rows carry another tag, so verification counts only the measured window's.
  await loops(workload.inFlight, window.warmupMs, (i) => run(adapter, i, `${tag}-warmup`));
  await onWindow();
  const latencies: number[] = [];
  const rss = rssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const operations = await loops(workload.inFlight, window.measureMs, (i) => run(adapter, i, tag), latencies);
  const elapsedS = (performance.now() - started) / 1000;
  const cpuUsed = cpuUs(cpu);
  return {
    operations,
    throughput: operations / elapsedS,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerOp: cpuUsed / operations,
    peakRssMiB: rss.stop(),
    windowOperations: operations,
  };
}

/**
 * createMany: sequential single inserts for the window, then `batches` createMany calls of
 * `rows` rows (the window operations). Throughput is createMany's rows/s; `speedupOverSingles` is the target figure.
 */
export async function measureBatch(
  adapter: Adapter,
  window: Window,
  tag: string,
  rows: number,
  batches: number,
  onWindow = nothing,
): Promise<Measured> {
  await adapter.createMany!(`${tag}-warmup`, Math.min(rows, 1_000));
  const singleStarted = performance.now();
  const singles = await loops(1, window.measureMs, (i) => adapter.insertReturning(tag, i));
  const singleRowsPerSec = singles / ((performance.now() - singleStarted) / 1000);
  await onWindow();

  const latencies: number[] = [];
  const rss = rssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let inserted = 0;
  for (let batch = 0; batch < batches; batch++) {
    const t0 = performance.now();
    const returned = await adapter.createMany!(tag, rows);
    if (returned !== rows) throw new Error(`createMany returned ${returned} rows, expected ${rows}`);
    latencies.push(performance.now() - t0);
    inserted += returned;
  }
  const elapsedS = (performance.now() - started) / 1000;
  const cpuUsed = cpuUs(cpu);
  const throughput = inserted / elapsedS;
  return {
    operations: inserted + singles,
    throughput,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    cpuUsPerOp: cpuUsed / inserted,
    peakRssMiB: rss.stop(),
    extra: {
      singleRowsPerSec,
      speedupOverSingles: throughput / singleRowsPerSec,
      createManyRows: inserted,
      singleRows: singles,
    },
    windowOperations: batches,
  };
}

/** One pass over stream_rows (one window operation); `expectedRows` guards against a stream that stops early. */
export async function measureStream(adapter: Adapter, expectedRows: number, onWindow = nothing): Promise<Measured> {
  globalThis.gc?.();
  await onWindow();
  const rss = rssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  let seen = 0;
  const counted = await adapter.stream!(() => {
    seen++;
  });
  const elapsedS = (performance.now() - started) / 1000;
  const cpuUsed = cpuUs(cpu);
  const peakRssMiB = rss.stop();
  if (counted !== expectedRows || seen !== expectedRows)
    throw new Error(`stream delivered ${seen} rows (reported ${counted}), expected ${expectedRows}`);
  return {
    operations: seen,
    throughput: seen / elapsedS,
    p50Ms: Number.NaN,
    p99Ms: Number.NaN,
    cpuUsPerOp: cpuUsed / seen,
    peakRssMiB,
    extra: { rssGrowthMiB: peakRssMiB - rss.startMiB },
    windowOperations: 1,
  };
}
