import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { freePort } from './tcp.js';

const run = promisify(execFile);

/** The newest `/usr/lib/postgresql/<major>/bin` holding initdb and pg_ctl, if any. */
function findBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(root, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

const BIN = findBinaries();

/** The directory of `initdb`, `pg_ctl`, `pg_basebackup`, ... used by the private clusters. */
export const POSTGRES_BIN = BIN;
const AS_ROOT = process.getuid?.() === 0;

/** Why a private cluster cannot be started here, or undefined when it can. */
export function privateClusterUnavailable(): string | undefined {
  if (BIN === undefined)
    return 'no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql)';
  if (AS_ROOT) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root but there is no `postgres` OS user to run initdb and the server as';
    }
  }
  return undefined;
}

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface PrivateCluster {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly connectionString: string;
  /** Stops the server (`fast`: rolls back open transactions; `immediate`: a crash, recovery on start). */
  stopServer(mode?: ShutdownMode): Promise<void>;
  /** Starts it again on the same port and data directory; resolves once it accepts connections. */
  startServer(): Promise<void>;
  /** Stops the server for good and removes its data directory. Idempotent. */
  close(): Promise<void>;
}

/** Clusters of this process still on disk, stopped synchronously if the process exits early. */
const live = new Set<{ dataDir: string; dir: string }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const each of live) {
      try {
        execFileSync(
          ...asPostgres(join(BIN!, 'pg_ctl'), ['stop', '-D', each.dataDir, '-m', 'immediate', '-w', '-t', '5']),
          { stdio: 'ignore' },
        );
      } catch {
        // already stopped
      }
      rmSync(each.dir, { recursive: true, force: true });
    }
  });
}

/** The command line that runs `file` as the `postgres` OS user when this process is root. */
export function asPostgres(file: string, args: readonly string[]): [string, string[]] {
  return AS_ROOT ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, [...args]];
}

/**
 * Initializes and starts a throwaway PostgreSQL cluster from the machine's binaries on a
 * port of its own, with its own data directory (owned by `postgres` when run as root),
 * so a test can stop, crash and restart it without touching the shared server. The
 * cluster is removed by `close()`, by an exit hook if the process ends first, and by a
 * detached watchdog if the process is killed.
 *
 * ```ts
 * const cluster = await startPrivateCluster()
 * try { await cluster.stopServer('fast'); await cluster.startServer() } finally { await cluster.close() }
 * ```
 */
export interface PrivateClusterOptions {
  /** More server settings (`name=value`), e.g. `wal_level=replica`. */
  settings?: readonly string[];
  /**
   * Creates the data directory instead of `initdb` (e.g. `pg_basebackup` of another
   * cluster for a streaming replica); `dataDir` does not exist yet.
   */
  createDataDir?: (dataDir: string) => Promise<void>;
}

export async function startPrivateCluster(clusterOptions: PrivateClusterOptions = {}): Promise<PrivateCluster> {
  const unavailable = privateClusterUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const bin = BIN!;
  const dir = mkdtempSync(join(tmpdir(), 'data-layer-cluster-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir);
  if (AS_ROOT) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    for (const path of [dir, socketDir]) chownSync(path, uid, gid);
  }
  const entry = { dataDir, dir };
  live.add(entry);
  installExitHook();
  const port = await freePort();
  const pgCtl = join(bin, 'pg_ctl');
  const serverOptions = [
    `-p ${port}`,
    `-k ${socketDir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c max_connections=60',
    '-c shared_buffers=16MB',
    // A faster test server; stopping (even `immediate`) loses nothing the OS already has.
    '-c fsync=off',
    '-c synchronous_commit=on',
    '-c full_page_writes=off',
    ...(clusterOptions.settings ?? []).map((setting) => `-c ${setting}`),
  ].join(' ');
  const startServer = async () => {
    await run(
      ...asPostgres(pgCtl, [
        'start',
        '-D',
        dataDir,
        '-w',
        '-t',
        '30',
        '-l',
        join(dataDir, 'server.log'),
        '-o',
        serverOptions,
      ]),
    );
  };
  try {
    if (clusterOptions.createDataDir) await clusterOptions.createDataDir(dataDir);
    else
      await run(
        ...asPostgres(join(bin, 'initdb'), [
          '-D',
          dataDir,
          '-U',
          'postgres',
          '--auth=trust',
          '-E',
          'UTF8',
          '--no-sync',
          '--no-instructions',
        ]),
      );
    await startServer();
  } catch (error) {
    live.delete(entry);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  startWatchdog(pgCtl, dataDir, dir);

  let closed: Promise<void> | undefined;
  return {
    port,
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stopServer: async (mode = 'fast') => {
      await run(...asPostgres(pgCtl, ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30']));
    },
    startServer,
    close: () =>
      (closed ??= (async () => {
        await run(...asPostgres(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10'])).catch(() => {});
        live.delete(entry);
        rmSync(dir, { recursive: true, force: true });
      })()),
  };
}

/**
 * A detached shell that outlives a killed test process: once this process is gone it
 * stops the cluster and deletes its directory. It exits by itself after that, or when
 * the directory was already removed by `close()`.
 */
function startWatchdog(pgCtl: string, dataDir: string, dir: string): void {
  const [file, args] = asPostgres(pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '10']);
  const stop = [file, ...args].map((part) => `'${part.replaceAll("'", `'\\''`)}'`).join(' ');
  const script = `while kill -0 ${process.pid} 2>/dev/null && [ -d '${dir}' ]; do sleep 1; done; [ -d '${dir}' ] && { ${stop} >/dev/null 2>&1; rm -rf '${dir}'; }; exit 0`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
}
