import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  auditLog,
  auditTableSql,
  BaseRepository,
  ConflictError,
  ConnectionError,
  type RepositoryMiddleware,
  ValidationError,
} from '../../../src/index.js';
import { statementSpy } from '../../support/statement-spy.js';
import { isRealServer, throughPgBouncer, useTestDatabase } from '../../support/test-database.js';
import { createPeopleTable, type PeopleDB, peopleOptions } from './repository-fixture.js';

const spy = statementSpy();
const t = useTestDatabase<PeopleDB>('coalesce_create', spy.options);
let people: BaseRepository<PeopleDB, 'people', 'deleted_at'>;
let alone: BaseRepository<PeopleDB, 'people', 'deleted_at'>;

const inserts = () => spy.statements.filter((text) => text.startsWith('insert into "people"'));
const stored = async () =>
  (await sql<{ email: string }>`select email from people order by email`.execute(t.db.kysely)).rows.map(
    (row) => row.email,
  );

beforeAll(async () => {
  await createPeopleTable(t.db);
  await sql`alter table people add constraint people_score_check check (score >= 0)`.execute(t.db.kysely);
  people = new BaseRepository(t.db, peopleOptions);
  alone = new BaseRepository(t.db, { ...peopleOptions, coalesce: false });
  await people.count(); // loads the column catalog outside the counted statements
});
beforeEach(async () => {
  await sql`truncate people restart identity`.execute(t.db.kysely);
  spy.clear();
});

describe('concurrent create outside a transaction', () => {
  it('is one multi-row insert, and each caller gets its own row, in VALUES order (300 rows)', async () => {
    const emails = Array.from({ length: 300 }, (_, index) => `c${index}@x.io`);
    const rows = await Promise.all(emails.map((email, index) => people.create({ email, score: index })));
    expect(inserts()).toHaveLength(1);
    expect(inserts()[0]).toContain('values ($1, $2, now(), now()), ($3, $4, now(), now())');
    expect(rows.map((row) => row.email)).toEqual(emails);
    expect(rows.map((row) => row.score)).toEqual(emails.map((_, index) => index));
    expect(rows.every((row) => row.created_at instanceof Date && row.deleted_at === null)).toBe(true);
    expect(await stored()).toEqual([...emails].sort());
  });

  it('groups by column set: different columns are separate statements', async () => {
    const [a, b, c] = await Promise.all([
      people.create({ email: 'a@x.io' }),
      people.create({ email: 'b@x.io', team: 'red' }),
      people.create({ email: 'c@x.io' }),
    ]);
    expect([a.email, b.email, c.email]).toEqual(['a@x.io', 'b@x.io', 'c@x.io']);
    expect(b.team).toBe('red');
    expect(a.score).toBe(0); // the column default, as a single insert without it gives
    expect(inserts()).toHaveLength(2);
  });

  it('a duplicate key fails only its caller: the others succeed, every row exists exactly once', async () => {
    await alone.create({ email: 'taken@x.io' });
    spy.clear();
    const results = await Promise.allSettled(
      ['n1@x.io', 'taken@x.io', 'n2@x.io', 'n3@x.io'].map((email) => people.create({ email })),
    );
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const reason = (results[1] as PromiseRejectedResult).reason as ConflictError;
    expect(reason).toBeInstanceOf(ConflictError);
    expect(reason.constraint).toBe('people_email_key');
    expect(await stored()).toEqual(['n1@x.io', 'n2@x.io', 'n3@x.io', 'taken@x.io']);
    expect(inserts()).toHaveLength(1 + 4); // the refused batch, then one statement per row
  });

  it('two callers creating the same key in one tick: one row, one ConflictError', async () => {
    const results = await Promise.allSettled([people.create({ email: 'd@x.io' }), people.create({ email: 'd@x.io' })]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(ConflictError);
    expect(await stored()).toEqual(['d@x.io']);
  });

  it('a check violation or a value PostgreSQL refuses reaches only its caller, typed as alone', async () => {
    const results = await Promise.allSettled([
      people.create({ email: 'ok1@x.io', score: 1 }),
      people.create({ email: 'bad@x.io', score: -1 }),
      people.create({ email: 'ok2@x.io', score: 2 }),
      people.create({ email: 'huge@x.io', score: 2 ** 40 }),
    ]);
    const single = await alone.create({ email: 'solo@x.io', score: -1 }).catch((error: unknown) => error);
    const huge = await alone.create({ email: 'solo@x.io', score: 2 ** 40 }).catch((error: unknown) => error);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ name: (single as Error).name });
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ name: (huge as Error).name });
    expect(huge).toBeInstanceOf(ValidationError);
    expect(await stored()).toEqual(['ok1@x.io', 'ok2@x.io']);
  });

  it('never inside a transaction', async () => {
    await t.db.transaction(() => Promise.all(['e@x.io', 'f@x.io'].map((email) => people.create({ email }))));
    expect(inserts()).toHaveLength(2);
    expect(await stored()).toEqual(['e@x.io', 'f@x.io']);
  });

  it('is off with { coalesce: false }', async () => {
    await Promise.all(['g@x.io', 'h@x.io'].map((email) => alone.create({ email })));
    expect(inserts()).toHaveLength(2);
  });

  it('runs the middleware (audit included) once per call', async () => {
    const seen: unknown[] = [];
    const counting: RepositoryMiddleware = {
      name: 'counting',
      handle: async (operation, next) => {
        seen.push(operation.kind);
        return next();
      },
    };
    const watched = new BaseRepository(t.db, { ...peopleOptions, middleware: [counting] });
    const rows = await Promise.all(['i@x.io', 'j@x.io'].map((email) => watched.create({ email })));
    expect(seen).toEqual(['create', 'create']);
    expect(rows.map((row) => row.email)).toEqual(['i@x.io', 'j@x.io']);
    expect(inserts()).toHaveLength(1);
  });

  // It finds its backend by application_name, which PgBouncer does not pass on.
  it.runIf(isRealServer() && !throughPgBouncer())(
    'a connection lost mid-statement reaches every caller and is not re-run',
    async () => {
      const applicationName = `coalesce-lost-${process.pid}`;
      const db = t.open({ applicationName, ...spy.options });
      const repository = new BaseRepository(db, peopleOptions);
      await repository.count();
      await sql`
      create or replace function slow_insert() returns trigger language plpgsql as $$
      begin if new.email like 'slow%' then perform pg_sleep(0.5); end if; return new; end $$;
      create trigger people_slow before insert on people for each row execute function slow_insert();
    `.execute(t.db.kysely);
      try {
        spy.clear();
        const settled = Promise.allSettled(['slow1@x.io', 'slow2@x.io'].map((email) => repository.create({ email })));
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = ${applicationName} and query like 'insert%'`.execute(t.db.kysely);
        const results = await settled;
        expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
        for (const result of results) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
        expect(inserts()).toHaveLength(1);
        expect(await stored()).toEqual([]);
      } finally {
        await sql`drop trigger people_slow on people`.execute(t.db.kysely);
      }
    },
  );

  it('matches separate creates for any mix of new, duplicate and refused rows (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            email: fc.constantFrom('p@x.io', 'q@x.io', 'r@x.io', 's@x.io'),
            score: fc.integer({ min: -1, max: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        async (inputs) => {
          await sql`truncate people restart identity`.execute(t.db.kysely);
          const together = await Promise.allSettled(inputs.map((input) => people.create(input)));
          const outcome = together.map((result) =>
            result.status === 'fulfilled' ? `ok:${result.value.email}` : `error:${(result.reason as Error).name}`,
          );
          // Alone: each email is inserted by the first valid caller; later ones conflict.
          const taken = new Set<string>();
          const expected = inputs.map((input) => {
            if (input.score < 0) return 'error:CheckViolationError';
            if (taken.has(input.email)) return 'error:ConflictError';
            taken.add(input.email);
            return `ok:${input.email}`;
          });
          expect(outcome.sort()).toEqual(expected.sort());
          // Which of two same-email callers wins is a race, as it is alone; each winner got its own row.
          together.forEach((result, index) => {
            if (result.status === 'fulfilled') expect(result.value).toMatchObject(inputs[index]!);
          });
          expect(await stored()).toEqual([...taken].sort());
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('audit log', () => {
  it('audited creates run in their own transactions, so each stays its own insert with its own audit row', async () => {
    await sql.raw(auditTableSql()).execute(t.db.kysely);
    const audited = new BaseRepository(t.db, { ...peopleOptions, middleware: [auditLog()] });
    const rows = await Promise.all(['m@x.io', 'n@x.io'].map((email) => audited.create({ email })));
    expect(inserts()).toHaveLength(2);
    const entries = await sql<{ row_id: string }>`select row_id from audit_log order by row_id`.execute(t.db.kysely);
    expect(entries.rows.map((entry) => entry.row_id)).toEqual(rows.map((row) => String(row.id)).sort());
  });
});
