import { describe, expect, it } from 'vitest';

import { categoryOf, type CpuProfile, formatProfile, summariseProfile } from '../../../bench/lib/profile.js';

describe('CPU profile summary', () => {
  it('places a frame by where its code lives', () => {
    expect(categoryOf('runMicrotasks', 'node:internal/process/task_queues')).toBe('node core');
    expect(categoryOf('parse', 'file:///w/bench/node_modules/postgres-date/index.js')).toBe('postgres-date');
    expect(categoryOf('x', 'file:///w/node_modules/@scope/pkg/a.js')).toBe('@scope/pkg');
    expect(categoryOf('findById', 'file:///w/dist/chunk-ABC.js')).toBe('@org/data-layer');
    expect(categoryOf('loop', 'file:///w/bench/lib/measure.ts')).toBe('bench harness');
    expect(categoryOf('(garbage collector)', '')).toBe('gc');
    expect(categoryOf('(program)', '')).toBe('(program)');
  });

  it('sums self time per function and per place, leaving idle time out of the shares', () => {
    const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 9 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(idle)', '') },
        { id: 2, callFrame: frame('parse', 'file:///w/node_modules/postgres-date/index.js') },
        { id: 3, callFrame: frame('run', 'file:///w/dist/index.js') },
      ],
      samples: [1, 2, 3, 2, 1],
      timeDeltas: [5_000, 300, 100, 300, 5_000],
    };
    const summary = summariseProfile(profile);
    expect(summary.busyMs).toBeCloseTo(0.7);
    expect(summary.top[0]).toMatchObject({ name: 'parse postgres-date/index.js:10', category: 'postgres-date' });
    expect(summary.top[0]!.share).toBeCloseTo(6 / 7);
    expect(summary.categories.map((c) => c.name)).toEqual(['postgres-date', '@org/data-layer']);
    expect(formatProfile('t', summary)).toContain('| postgres-date | 0.6 ms | 85.7% |');
  });
});
