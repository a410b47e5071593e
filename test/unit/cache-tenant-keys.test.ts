import { describe, expect, it } from 'vitest';

import { cache, memoryCacheStore, withTenant } from '../../src/index.js';
import { run } from './cache-fakes.js';

describe('cache keys and the tenant', () => {
  it('partition by the current tenant even when no middleware contributes a scope (rls mode)', async () => {
    const cached = cache({ store: memoryCacheStore({ maxEntries: 10 }), ttlSeconds: 60, keyPrefix: 'unit:' });
    let reads = 0;
    const read = () => run([cached], { kind: 'findMany', args: [{}] }, () => [{ id: ++reads }]);
    const acme = await withTenant('acme', read);
    const acmeAgain = await withTenant('acme', read);
    const globex = await withTenant('globex', read);
    expect(acmeAgain).toEqual(acme);
    expect(globex).not.toEqual(acme);
    expect(reads).toBe(2);
  });
});
