import { describe, expect, it } from 'vitest';

import { resolveOptions } from '../../../src/config/resolve-options.js';
import { statementName } from '../../../src/driver/prepared-statements.js';
import { configError } from '../../support/config-error.js';

describe('preparedStatements option', () => {
  it.each([
    [undefined, { max: 100 }],
    [true, { max: 100 }],
    [false, false],
    [{}, { max: 100 }],
    [{ max: undefined }, { max: 100 }],
    [{ max: 7 }, { max: 7 }],
  ])('%j resolves to %j', (preparedStatements, expected) => {
    expect(resolveOptions({ preparedStatements }).preparedStatements).toEqual(expected);
  });

  it.each([
    [{ preparedStatements: 'yes' }, 'preparedStatements', /expected boolean.*or expected object/],
    [{ preparedStatements: 1 }, 'preparedStatements', /expected boolean.*or expected object/],
    [{ preparedStatements: { max: 0 } }, 'preparedStatements.max', />= 1/],
    [{ preparedStatements: { max: 2.5 } }, 'preparedStatements.max', /integer/],
  ])('rejects %j naming the option', (options, option, expected) => {
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(expected);
  });

  it('rejects unknown keys of the object form', () => {
    expect(configError({ preparedStatements: { size: 3 } }).option).toBe('preparedStatements.size');
  });
});

describe('statementName', () => {
  it('is dl_ and base 36, the same for the same text and different for different texts', () => {
    const a = statementName('select * from "t" where "id" = $1');
    expect(a).toMatch(/^dl_[0-9a-z]{1,13}$/);
    expect(statementName('select * from "t" where "id" = $1')).toBe(a);
    expect(statementName('select * from "t" where "id" = $2')).not.toBe(a);
  });
});
