import type { RowOf } from '@org/data-layer';
import type { ColumnType, Generated } from 'kysely';

export type TaskStatus = 'pending' | 'running' | 'done' | 'failed';

/** The queue's one table (created by ./migrations). */
export interface TaskDB {
  tasks: {
    id: Generated<number>;
    kind: string;
    payload: ColumnType<unknown, string, string>; // jsonb: written as JSON text
    status: Generated<TaskStatus>;
    attempts: Generated<number>;
    max_attempts: Generated<number>;
    run_at: Generated<Date>;
    worker: string | null;
    started_at: Date | null;
    /** A running task past this is overdue: its worker probably died. */
    timeout_at: Date | null;
    finished_at: Date | null;
    last_error: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    deleted_at: Date | null;
  };
}

export type Task = RowOf<TaskDB, 'tasks'>;
