import { describe, expect, it } from 'vitest';

import { median, quantile, ratio } from '../../../bench/lib/stats.js';

describe('bench statistics', () => {
  it('median of an odd and an even count, ignoring non-finite values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, Number.NaN, 1, Number.POSITIVE_INFINITY, 3])).toBe(3);
    expect(median([])).toBeNaN();
    expect(median([Number.NaN])).toBeNaN();
  });

  it('quantile takes the nearest rank: p99 is a latency some operation had', () => {
    const latencies = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(quantile(latencies, 0.5)).toBe(50);
    expect(quantile(latencies, 0.99)).toBe(99);
    expect(quantile(latencies, 1)).toBe(100);
    expect(quantile(latencies, 0)).toBe(1);
    expect(quantile([7, 1, 9], 0.99)).toBe(9);
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('ratio is NaN without a usable reference', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(3, undefined)).toBeNaN();
    expect(ratio(undefined, 2)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });
});
