import { describe, expect, it } from 'vitest';

import { LocalSettings } from '../../../src/transaction/local-settings.js';

describe('LocalSettings (maps made on first use)', () => {
  it('a fresh outermost scope knows nothing and has nothing to restore', () => {
    const locals = new LocalSettings(undefined);
    expect(locals.get('app.tenant_id')).toBeUndefined();
    expect(locals.needsPrevious('app.tenant_id')).toBe(false);
    expect(locals.changed).toBe(false);
    expect(locals.toRestore()).toEqual([]);
  });

  it('a nested scope inherits a snapshot of what its parent knew', () => {
    const outer = new LocalSettings(undefined);
    outer.begin('app.tenant_id')('a');
    const inner = new LocalSettings(outer);
    outer.begin('app.tenant_id')('b'); // later changes of the parent are not seen
    expect(inner.get('app.tenant_id')).toBe('a');
    expect(inner.needsPrevious('app.tenant_id')).toBe(false);
    expect(inner.changed).toBe(false);
  });

  it('a nested scope that changes a known setting records the value to put back', () => {
    const outer = new LocalSettings(undefined);
    outer.begin('app.tenant_id')('a');
    const inner = new LocalSettings(outer);
    const settle = inner.begin('app.tenant_id');
    expect(inner.get('app.tenant_id')).toBeUndefined(); // unknown until the change completes
    settle('b');
    expect(inner.get('app.tenant_id')).toBe('b');
    expect(inner.changed).toBe(true);
    expect(inner.toRestore()).toEqual([['app.tenant_id', 'a']]);
  });

  it('a nested scope must read the previous value of a setting nobody knew, and restores it', () => {
    const inner = new LocalSettings(new LocalSettings(undefined));
    expect(inner.needsPrevious('app.role')).toBe(true);
    inner.begin('app.role')('admin');
    inner.rememberPrevious('app.role', null);
    expect(inner.changed).toBe(true);
    expect(inner.toRestore()).toEqual([['app.role', null]]);
  });

  it('only the latest of overlapping changes becomes known', () => {
    const locals = new LocalSettings(undefined);
    const first = locals.begin('app.tenant_id');
    const second = locals.begin('app.tenant_id');
    second('b');
    first('a'); // completed late: stale
    expect(locals.get('app.tenant_id')).toBe('b');
  });
});
