import { describe, expect, it } from 'vitest';

import { ConfigError, createDatabase, type DatabaseOptions } from '../../src/index.js';

function configError(options: unknown): ConfigError {
  try {
    createDatabase(options as DatabaseOptions);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the embedded option', () => {
  it.each([
    [{ embedded: 'yes' }, 'embedded'],
    [{ embedded: { port: 0 } }, 'embedded.port'],
    [{ embedded: { port: 70_000 } }, 'embedded.port'],
    [{ embedded: { dataDir: '' } }, 'embedded.dataDir'],
    [{ embedded: { dataDir: 42 } }, 'embedded.dataDir'],
  ])('rejects %j with a ConfigError naming %s', (options, option) => {
    expect(configError({ logger: 'silent', ...options })).toMatchObject({ option });
  });

  it('rejects an unknown embedded field by name', () => {
    expect(configError({ embedded: { dir: '/tmp/x' } })).toMatchObject({
      option: 'embedded.dir',
      message: 'Unknown option "embedded.dir"',
    });
  });

  it.each(['connectionString', 'host', 'port', 'database', 'user', 'password', 'ssl'])(
    'cannot be combined with %s',
    (field) => {
      const value =
        field === 'connectionString'
          ? 'postgres://localhost/db'
          : field === 'port'
            ? 5432
            : field === 'ssl'
              ? true
              : 'x';
      const error = configError({ embedded: true, [field]: value });
      expect(error.option).toBe(field);
      expect(error.message).toContain('cannot be combined with embedded');
    },
  );

  it('embedded: false is the same as leaving it out', async () => {
    const db = createDatabase({ embedded: false, connectionString: 'postgres://localhost/db', logger: 'silent' });
    await db.close();
  });
});
