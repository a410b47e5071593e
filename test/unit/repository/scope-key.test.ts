import { describe, expect, it } from 'vitest';

import { matchKey, scopeKey } from '../../../src/repository/canonical-key.js';
import { parseColumnType, tableColumns } from '../../../src/repository/column-types.js';

const columns = tableColumns(
  ['id', 'tenant_id', 'tenant_no', 'region', 'deleted_at'],
  new Map([
    ['id', parseColumnType('int4')],
    ['tenant_id', parseColumnType('text')],
    ['tenant_no', parseColumnType('int8')],
    ['region', parseColumnType('bpchar')],
  ]),
);

describe('scopeKey: which filters of a findById may differ within one batch', () => {
  it('an equality on a column with one spelling per value varies; its value is the canonical one', () => {
    const acme = scopeKey(
      [
        { column: 'tenant_id', op: 'eq', value: 'acme' },
        { column: 'deleted_at', op: 'null' },
      ],
      columns,
    );
    const globex = scopeKey(
      [
        { column: 'tenant_id', op: 'eq', value: 'globex' },
        { column: 'deleted_at', op: 'null' },
      ],
      columns,
    );
    expect(acme).toEqual({ shape: 'tenant_id=?;deleted_at:null;', values: ['acme'], scoped: [0] });
    expect(globex?.shape).toBe(acme?.shape);
    expect(scopeKey([{ column: 'tenant_no', op: 'eq', value: 7n }], columns)?.values).toEqual(['7']);
  });

  it('a value without one spelling (char(n), a non-canonical integer) stays part of the shape', () => {
    const padded = scopeKey([{ column: 'region', op: 'eq', value: 'eu' }], columns);
    expect(padded).toEqual({ shape: 'region=string:eu;', values: [], scoped: [] });
    const leadingZero = scopeKey([{ column: 'tenant_no', op: 'eq', value: '07' }], columns);
    expect(leadingZero).toEqual({ shape: 'tenant_no=string:07;', values: [], scoped: [] });
    expect(scopeKey([{ column: 'region', op: 'eq', value: { not: 'scalar' } }], columns)).toBeUndefined();
  });
});

describe('matchKey', () => {
  it('tells (id, tenant) pairs apart however the strings look', () => {
    expect(matchKey('1', ['a", "b'])).not.toBe(matchKey('1', ['a', 'b']));
    expect(matchKey('1', ['acme'])).toBe(matchKey('1', ['acme']));
    expect(matchKey('1', [10])).toBe(matchKey('1', ['10']));
  });

  it('a row whose scope column is null matches nobody (not even a tenant named "null")', () => {
    expect(matchKey('1', [null])).toBeUndefined();
    expect(matchKey('1', [undefined])).toBeUndefined();
    expect(matchKey('1', ['null'])).toBeDefined();
  });
});
