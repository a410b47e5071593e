import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../../src/config/resolve-options.js';
import { createPool } from '../../../src/connection/create-pool.js';
import { ConfigError, createDatabase } from '../../../src/index.js';
import { configError } from '../../support/config-error.js';

describe('the pooler option', () => {
  it.each(['pgbouncer', 'transaction', '', 1, true])('rejects %j with a ConfigError naming pooler', (value) => {
    const error = configError({ pooler: value });
    expect(error).toMatchObject({ name: 'ConfigError', option: 'pooler' });
    expect(error.message).toContain('"pooler"');
    expect(error.message).toContain("'pgbouncer-transaction' or 'none'");
    expect(() => createDatabase({ pooler: value as never })).toThrow(ConfigError);
  });

  it('unset: detect at connect(), named prepared statements on', () => {
    const resolved = resolveOptions({});
    expect(resolved.pooler).toBeUndefined();
    expect(resolved.preparedStatements).toEqual({ max: 100 });
  });

  it("'pgbouncer-transaction' turns named prepared statements off unless they are asked for", () => {
    expect(resolveOptions({ pooler: 'pgbouncer-transaction' }).preparedStatements).toBe(false);
    expect(resolveOptions({ pooler: 'pgbouncer-transaction', preparedStatements: true }).preparedStatements).toEqual({
      max: 100,
    });
    expect(
      resolveOptions({ pooler: 'pgbouncer-transaction', preparedStatements: { max: 7 } }).preparedStatements,
    ).toEqual({ max: 7 });
    expect(resolveOptions({ pooler: 'none' }).preparedStatements).toEqual({ max: 100 });
  });

  it("'pgbouncer-transaction' sends no statement_timeout or options startup parameter", async () => {
    const settings = { statementTimeoutMs: 500, searchPath: ['app', 'public'] };
    const pooled = createPool(resolveOptions({ ...settings, pooler: 'pgbouncer-transaction' }));
    const direct = createPool(resolveOptions({ ...settings, pooler: 'none' }));
    try {
      expect(pooled.options).not.toHaveProperty('statement_timeout');
      expect(pooled.options).not.toHaveProperty('options');
      expect(direct.options).toMatchObject({ statement_timeout: 500, options: '-c search_path=app,public' });
    } finally {
      await Promise.all([pooled.end(), direct.end()]);
    }
  });
});
