import { describe, expect, it } from 'vitest';

import { mapPostgresError, QueryError, ValidationError } from '../../src/index.js';
import { isFullyChecked, valueProblem } from '../../src/repository/check-value.js';
import { parseColumnType, tableColumns } from '../../src/repository/column-types.js';
import { assertFilterOrAll, serverCheckedColumns } from '../../src/repository/input-rules.js';

const type = parseColumnType;

describe('valueProblem', () => {
  it.each([
    ['int4', 42],
    ['int4', '42'],
    ['int4', -(2 ** 31)],
    ['int2', 32_767n],
    ['int8', '9223372036854775807'],
    ['int8', 2n ** 62n],
    ['numeric(6,2)', 9999.99],
    ['numeric', '-1.5e10'],
    ['float8', Number.NaN],
    ['bool', false],
    ['bool', 'yes'],
    ['varchar(3)', 'abc'],
    ['bpchar(2)', 'ab   '],
    ['uuid', '{0b6f1c9e-8d43-4b8a-9a57-2f1d2e3c4b5a}'],
    ['timestamptz', '2024-01-02T03:04:05.123456+05:30'],
    ['date', 'infinity'],
    ['jsonb', { a: [1] }],
    ['jsonb', '"text"'],
    ['bytea', Buffer.from('x')],
    ['text[]', ['a', null, ['b']]],
    ['inet', '10.0.0.1'],
    ['int4', null],
  ])('accepts %s %o', (spec, value) => {
    expect(valueProblem(value, type(spec))).toBeUndefined();
  });

  it.each([
    ['int4', 'abc'],
    ['int4', 1.5],
    ['int4', Number.NaN],
    ['int4', {}],
    ['int4', 2 ** 40],
    ['int4', Buffer.from([1])],
    ['int8', 2 ** 60],
    ['numeric(4,2)', 100],
    ['numeric', Infinity],
    ['bool', 1],
    ['text', 'a\u0000b'],
    ['text', 5],
    ['varchar(3)', 'abcd'],
    ['uuid', 'nope'],
    ['timestamptz', 'garbage'],
    ['timestamptz', new Date(Number.NaN)],
    ['timestamptz', new Date(-8.64e15)],
    ['jsonb', [1]],
    ['jsonb', 'bare words'],
    ['jsonb', { n: 1n }],
    ['bytea', 1],
    ['text[]', 'a'],
    ['int4[]', [1, 'x']],
    ['inet', Buffer.from([1])],
    ['int4', undefined],
    ['text', Symbol('x')],
  ])('refuses %s %o with a phrase that holds no value', (spec, value) => {
    const problem = valueProblem(value, type(spec));
    expect(problem).toBeTypeOf('string');
    if (typeof value === 'string' && value.length > 2) expect(problem).not.toContain(value);
  });

  it('checks enum labels', () => {
    const mood = { name: 'mood', labels: ['happy', 'sad'] };
    expect(valueProblem('happy', mood)).toBeUndefined();
    expect(valueProblem('angry', mood)).toContain('mood');
    expect(isFullyChecked(mood)).toBe(true);
  });

  it('knows which types the server may still refuse', () => {
    expect(isFullyChecked(type('int4'))).toBe(true);
    expect(isFullyChecked(type('text[]'))).toBe(true);
    expect(isFullyChecked(type('timestamptz'))).toBe(false);
    expect(isFullyChecked(type('inet'))).toBe(false);
    expect(isFullyChecked(undefined)).toBe(false);
  });
});

describe('parseColumnType', () => {
  it('reads SQL spellings', () => {
    expect(type('integer')).toEqual({ name: 'int4' });
    expect(type('varchar(20)')).toEqual({ name: 'varchar', maxLength: 20 });
    expect(type('numeric(10, 2)')).toEqual({ name: 'numeric', precision: 10, scale: 2 });
    expect(type('int4[]')).toEqual({ name: '_int4', element: { name: 'int4' } });
    expect(type('timestamp with time zone')).toEqual({ name: 'timestamptz' });
  });
});

describe('many-row writes', () => {
  it('refuse an empty where without { all: true }', () => {
    expect(() => assertFilterOrAll({}, undefined, 't', 'updateMany')).toThrow(ValidationError);
    expect(() => assertFilterOrAll(undefined, { all: false }, 't', 'updateMany')).toThrow(/all: true/);
    expect(() => assertFilterOrAll({}, { all: true }, 't', 'updateMany')).not.toThrow();
    expect(() => assertFilterOrAll({ a: 1 }, undefined, 't', 'updateMany')).not.toThrow();
  });
});

describe('mapPostgresError with repositoryInput', () => {
  const dataException = (code: string) =>
    new QueryError('data exception', { sqlState: code, cause: Object.assign(new Error('x'), { code }) });

  it.each(['22P02', '22003', '22007', '22008', '22021', '22001'])(
    'maps %s from a repository statement to a ValidationError naming the column',
    (code) => {
      const mapped = mapPostgresError(dataException(code), { repositoryInput: { table: 'people', columns: ['addr'] } });
      expect(mapped).toBeInstanceOf(ValidationError);
      expect(mapped).toMatchObject({ statusCode: 400, column: 'addr' });
      expect(mapped.message).toContain('"people.addr"');
      expect(mapped.message).toContain(code);
    },
  );

  it('maps the raw driver error too, and names every candidate', () => {
    const mapped = mapPostgresError(
      Object.assign(new Error('invalid input syntax for type inet: "secret"'), { code: '22P02' }),
      {
        repositoryInput: { table: 'people', columns: ['a', 'b'] },
      },
    ) as ValidationError;
    expect(mapped.issues.map((issue) => issue.column)).toEqual(['a', 'b']);
    expect(mapped.message).not.toContain('secret');
  });

  it('leaves other errors, and data exceptions outside repositories, alone', () => {
    expect(mapPostgresError(dataException('22P02'))).toBeInstanceOf(QueryError);
    const other = new QueryError('x', { sqlState: '42P01' });
    expect(mapPostgresError(other, { repositoryInput: { table: 't', columns: [] } })).toBe(other);
  });
});

describe('serverCheckedColumns', () => {
  const columns = tableColumns(
    ['id', 'addr', 'score'],
    new Map([
      ['id', type('int4')],
      ['addr', type('inet')],
      ['score', type('int4')],
    ]),
  );

  it('names the columns of the arguments whose values only the server checks', () => {
    expect(serverCheckedColumns([{ addr: 'x', score: 1 }], {}, columns, 'id')).toEqual(['addr']);
    expect(serverCheckedColumns([{ where: { addr: 'x' } }], {}, columns, 'id')).toEqual(['addr']);
    expect(serverCheckedColumns([7, { score: 1 }], {}, columns, 'id')).toEqual(['id', 'score']);
  });
});
