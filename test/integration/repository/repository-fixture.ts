import { type Generated, sql } from 'kysely';

import type { Database } from '../../../src/index.js';

/** A soft-deletable, timestamped table shared by the repository tests of one file. */
export interface PeopleTable {
  id: Generated<number>;
  email: string;
  team: string | null;
  score: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: Date | null;
}

export interface PeopleDB {
  people: PeopleTable;
}

export async function createPeopleTable(db: Database<PeopleDB>): Promise<void> {
  await sql`
    create table people (
      id serial primary key,
      email text not null constraint people_email_key unique,
      team text,
      score int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )
  `.execute(db.kysely);
}

export const peopleOptions = {
  table: 'people',
  softDelete: 'deleted_at',
  timestamps: { createdAt: 'created_at', updatedAt: 'updated_at' },
} as const;
