// Order statistics and ratios used by the report; pure, unit-tested in bench/test.

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The q-quantile (0..1) by the nearest-rank method: p99 of latencies is a latency some
 * operation really had, not an interpolation between two.
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile expects 0..1, got ${q}`);
  const sorted = Array.from(values).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

/** value ÷ reference; NaN when either is missing or the reference is not positive. */
export function ratio(value: number | undefined, reference: number | undefined): number {
  if (value === undefined || reference === undefined) return Number.NaN;
  if (!Number.isFinite(value) || !Number.isFinite(reference) || reference <= 0) return Number.NaN;
  return value / reference;
}
