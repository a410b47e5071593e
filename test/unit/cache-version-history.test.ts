import { describe, expect, it } from 'vitest';

import { VersionHistory } from '../../src/middleware/cache/version-history.js';

describe('VersionHistory', () => {
  it('accepts new versions and reports one it saw replaced as rewound', () => {
    const history = new VersionHistory();
    expect(history.observe('people', 'v1')).toBe('current');
    expect(history.observe('people', 'v1')).toBe('current');
    expect(history.observe('people', 'v2')).toBe('current');
    expect(history.observe('people', 'v1')).toBe('rewound');
    expect(history.observe('people', 'v2')).toBe('current'); // a rewind does not change what is current
    expect(history.observe('orders', 'v1')).toBe('current'); // per table
  });

  it('remembers a bounded number of replaced versions', () => {
    const history = new VersionHistory();
    for (let i = 0; i <= 40; i++) history.observe('people', `v${i}`);
    expect(history.observe('people', 'v39')).toBe('rewound');
    expect(history.observe('people', 'v0')).toBe('current'); // forgotten: only the last 32 are kept
  });
});
