// Names the documentation's snippets use without declaring them: one imaginary service.
import type { Generated } from 'kysely';
import type { Database } from '@org/data-layer';

declare global {
  interface DB {
    users: { id: Generated<number>; email: string; name: string | null; team: string; created_at: Generated<Date>; updated_at: Generated<Date>; deleted_at: Date | null };
  }
  const db: Database<DB>;
}
export {};
