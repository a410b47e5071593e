import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';

import type { Database } from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { useTestDatabase } from '../../support/test-database.js';

const spy = statementSpy();
const t = useTestDatabase<Record<string, never>>('local_settings', spy.options);
const current = async (db: Database<Record<string, never>>, name = 'dl.probe') =>
  (await sql<{ value: string | null }>`select current_setting(${name}, true) as value`.execute(db.kysely)).rows[0]!
    .value;
const setConfigs = () => spy.statements.filter((statement) => statement.includes('set_config'));

beforeEach(() => spy.clear());

describe('tx.setLocal (transaction-local settings that never outlive their scope)', () => {
  it('a released savepoint puts back the value it changed; PostgreSQL alone would keep it', async () => {
    const seen = await t.db.transaction(async (tx) => {
      await tx.setLocal('dl.probe', 'outer');
      const inner = await t.db.transaction(async (nested) => {
        await nested.setLocal('dl.probe', 'inner');
        return current(t.db);
      });
      return { inner, after: await current(t.db) };
    });
    expect(seen).toEqual({ inner: 'inner', after: 'outer' });
  });

  it('a rolled-back savepoint leaves the outer value in force too', async () => {
    const after = await t.db.transaction(async (tx) => {
      await tx.setLocal('dl.probe', 'outer');
      await t.db
        .transaction(async (nested) => {
          await nested.setLocal('dl.probe', 'inner');
          throw new Error('roll back');
        })
        .catch(() => undefined);
      return current(t.db);
    });
    expect(after).toBe('outer');
  });

  it('a setting the outer scope never made is reset when the savepoint that made it is released', async () => {
    const after = await t.db.transaction(async () => {
      await t.db.transaction(async (nested) => {
        await nested.setLocal('dl.unset_probe', 'inner');
        await t.db.transaction((deeper) => deeper.setLocal('dl.unset_probe', 'deeper'));
        expect(await current(t.db, 'dl.unset_probe')).toBe('inner');
      });
      return current(t.db, 'dl.unset_probe');
    });
    expect(after === null || after === '').toBe(true);
  });

  it('restores a built-in setting to the exact value it had', async () => {
    const after = await t.db.transaction(async () => {
      const before = await current(t.db, 'lock_timeout');
      await t.db.transaction((nested) => nested.setLocal('lock_timeout', '1234'));
      return { before, after: await current(t.db, 'lock_timeout') };
    });
    expect(after.after).toBe(after.before);
  });

  it('sends a value once per scope, and nothing at RELEASE when a savepoint changed nothing', async () => {
    await t.db.transaction(async (tx) => {
      await tx.setLocal('dl.probe', 'a');
      await tx.setLocal('dl.probe', 'a');
      await t.db.transaction(async (nested) => {
        await nested.setLocal('dl.probe', 'a'); // already in force: inherited
      });
      await t.db.transaction(async (nested) => {
        await nested.setLocal('dl.probe', 'a');
        await sql`select 1`.execute(nested); // a statement: the savepoint is sent, and released
      });
    });
    expect(setConfigs()).toHaveLength(1);
    // The first savepoint ran no statement: neither it nor its RELEASE was sent.
    expect(spy.statements.filter((statement) => statement.startsWith('savepoint'))).toHaveLength(1);
    expect(spy.statements.filter((statement) => statement.startsWith('release'))).toHaveLength(1);
  });

  it('ends with its transaction', async () => {
    await t.db.transaction((tx) => tx.setLocal('dl.probe', 'gone'));
    expect(await current(t.db)).not.toBe('gone');
  });
});
