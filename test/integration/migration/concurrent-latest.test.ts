import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';

import { FIXTURES } from '../../support/migration-fixtures.js';
import { isRealServer, useTestDatabase } from '../../support/test-database.js';

const run = promisify(execFile);
const CHILD = resolve(import.meta.dirname, '../../support/migrate-child.ts');
const skip = isRealServer() ? undefined : 'needs a real PostgreSQL server (parallel sessions)';
if (skip) console.info(`[concurrent-latest] skipped: ${skip}`);

const t = useTestDatabase('migrate_concurrent');

describe.skipIf(skip !== undefined)('several processes running latest at once', () => {
  it('apply each migration exactly once, including a transaction: false one, and all finish', async () => {
    const children = Array.from({ length: 4 }, () =>
      run(process.execPath, ['--import', 'tsx', CHILD, inject('databaseUrl'), t.schema, `${FIXTURES}/concurrent`], {
        timeout: 60_000,
      }),
    );
    const outputs = await Promise.all(children);
    const applied = outputs.map(({ stdout }) => JSON.parse(stdout) as string[]);
    // Between them the processes applied everything, and no migration twice.
    expect(applied.flat().sort()).toEqual(['0001_log', '0002_items', '0003_items_sku_index', '0004_items_price']);
    const { rows } = await sql<{ migration: string; runs: number }>`
      select migration, count(*)::int as runs from ${sql.table(`${t.schema}.applied_log`)} group by 1 order by 1`.execute(
      t.db.kysely,
    );
    expect(rows).toEqual([
      { migration: '0001_log', runs: 1 },
      { migration: '0002_items', runs: 1 },
      { migration: '0003_items_sku_index', runs: 1 },
      { migration: '0004_items_price', runs: 1 },
    ]);
    const ledger = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${t.schema}.data_layer_migrations`)}`.execute(t.db.kysely);
    expect(ledger.rows[0]!.n).toBe(4);
    const lease = await sql<{
      locked_by: string | null;
    }>`select locked_by from ${sql.table(`${t.schema}.data_layer_migrations_lock`)}`.execute(t.db.kysely);
    expect(lease.rows).toEqual([{ locked_by: null }]);
  }, 90_000);
});
