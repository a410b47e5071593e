import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

import {
  asPostgres,
  POSTGRES_BIN,
  type PrivateCluster,
  privateClusterUnavailable,
  startPrivateCluster,
} from './private-cluster.js';

const run = promisify(execFile);

/** Why a primary with a streaming replica cannot be started here, or undefined when it can. */
export function streamingReplicaUnavailable(): string | undefined {
  const unavailable = privateClusterUnavailable();
  if (unavailable !== undefined) return unavailable;
  if (!existsSync(join(POSTGRES_BIN!, 'pg_basebackup'))) return `no pg_basebackup in ${POSTGRES_BIN}`;
  return undefined;
}

export interface StreamingReplicaOptions {
  /** The replica's `recovery_min_apply_delay` (ms): how far its replay trails the primary. @default 0 */
  applyDelayMs?: number;
}

export interface StreamingPair {
  /** A private primary (`wal_level=replica`). */
  readonly primary: PrivateCluster;
  /** A hot standby streaming from `primary` (`pg_basebackup -R`), on a port of its own. */
  readonly replica: PrivateCluster;
  /** Resolves once the replica's WAL receiver reports `streaming` (after a restart, say). */
  waitUntilStreaming(timeoutMs?: number): Promise<void>;
  /** Stops and removes both clusters. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a private primary and a streaming replica of it from the machine's PostgreSQL
 * binaries, each on its own port and data directory, and waits until the replica
 * streams. `applyDelayMs` makes the replica's lag visible without load.
 *
 * ```ts
 * const pair = await startStreamingReplica({ applyDelayMs: 1_500 })
 * try { ... pair.replica.connectionString ... } finally { await pair.close() }
 * ```
 */
export async function startStreamingReplica(options: StreamingReplicaOptions = {}): Promise<StreamingPair> {
  const unavailable = streamingReplicaUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const primary = await startPrivateCluster({
    settings: ['wal_level=replica', 'max_wal_senders=4', 'wal_keep_size=64MB'],
  });
  let replica: PrivateCluster | undefined;
  try {
    replica = await startPrivateCluster({
      settings: [
        'hot_standby=on',
        `recovery_min_apply_delay=${options.applyDelayMs ?? 0}ms`,
        // Report replay progress to the primary often, so lag is visible quickly.
        'wal_receiver_status_interval=1s',
      ],
      createDataDir: async (dataDir) => {
        // -R writes standby.signal and primary_conninfo; -c fast skips waiting for a
        // spread checkpoint, which would make this take seconds.
        await run(
          ...asPostgres(join(POSTGRES_BIN!, 'pg_basebackup'), [
            '-D',
            dataDir,
            '-h',
            '127.0.0.1',
            '-p',
            String(primary.port),
            '-U',
            'postgres',
            '-R',
            '-X',
            'stream',
            '-c',
            'fast',
            '--no-sync',
          ]),
        );
      },
    });
  } catch (error) {
    await primary.close();
    throw error;
  }
  const standby = replica;
  const waitUntilStreaming = (timeoutMs = 10_000) => waitForStreaming(standby.connectionString, timeoutMs);
  try {
    await waitUntilStreaming();
  } catch (error) {
    await Promise.all([standby.close(), primary.close()]);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    primary,
    replica: standby,
    waitUntilStreaming,
    close: () => (closed ??= Promise.all([standby.close(), primary.close()]).then(() => undefined)),
  };
}

async function waitForStreaming(connectionString: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const client = new pg.Client({ connectionString });
    try {
      await client.connect();
      const { rows } = await client.query<{ status: string | null }>(
        'select (select status from pg_stat_wal_receiver) as status',
      );
      last = rows[0]?.status ?? 'no WAL receiver';
      if (last === 'streaming') return;
    } catch (error) {
      last = (error as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`replica did not start streaming within ${timeoutMs} ms (last: ${last})`);
}
