import { describe, expect, it } from 'vitest';

import { RollingWindow } from '../../src/driver/rolling-window.js';

describe('RollingWindow', () => {
  it('computes nearest-rank percentiles', () => {
    const window = new RollingWindow(100);
    for (let i = 1; i <= 100; i++) window.add(i);
    expect(window.percentiles(50, 95, 99, 100)).toEqual([50, 95, 99, 100]);
  });

  it('keeps only the most recent samples, so memory stays constant', () => {
    const window = new RollingWindow(10);
    for (let i = 0; i < 1_000; i++) window.add(i < 990 ? 1_000 : 1);
    expect(window.size).toBe(10);
    expect(window.percentiles(99)).toEqual([1]);
  });

  it('reports zeros when empty', () => {
    expect(new RollingWindow().percentiles(50, 99)).toEqual([0, 0]);
  });
});
