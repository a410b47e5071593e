import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import pg from 'pg';

import { freePort } from './tcp.js';

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));

/** Why PgBouncer tests cannot run here, or undefined when they can. */
export function pgbouncerUnavailable(): string | undefined {
  return BINARY === undefined ? 'pgbouncer is not installed (apt-get install pgbouncer)' : undefined;
}

export interface PgBouncer {
  port: number;
  /** Its config file: `reloadPgBouncer` takes a new user list through it. */
  configFile: string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** Extra `[pgbouncer]` settings, e.g. `{ query_wait_timeout: '20' }`. */
  settings?: Readonly<Record<string, string>>;
  /** Server connections per user and database. @default 1 (every client shares one) */
  poolSize?: number;
  /** @default 'transaction' */
  poolMode?: 'transaction' | 'session';
  /** Startup parameters PgBouncer drops instead of refusing. @default the four pg and this library may send */
  ignoreStartupParameters?: readonly string[];
}

const IGNORED_BY_DEFAULT = ['extra_float_digits', 'options', 'application_name', 'statement_timeout'];

/**
 * Starts PgBouncer (transaction mode by default) in front of `target`, with ONE server
 * connection per user and database unless `poolSize` says otherwise, so every client
 * shares it: whatever leaks from one client's session reaches the next. It refuses to
 * run as root, so as root it runs as `postgres`.
 */
export async function startPgBouncer(
  target: { host: string; port: number },
  users: readonly string[],
  options: PgBouncerOptions = {},
): Promise<PgBouncer> {
  if (BINARY === undefined) throw new Error(pgbouncerUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));
  chmodSync(dir, 0o777);
  const port = await freePort();
  writeFileSync(join(dir, 'userlist.txt'), users.map((user) => `"${user}" ""`).join('\n') + '\n');
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.host} port=${target.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      `pool_mode = ${options.poolMode ?? 'transaction'}`,
      `default_pool_size = ${options.poolSize ?? 1}`,
      'max_client_conn = 100',
      `ignore_startup_parameters = ${(options.ignoreStartupParameters ?? IGNORED_BY_DEFAULT).join(',')}`,
      ...Object.entries(options.settings ?? {}).map(([key, value]) => `${key} = ${value}`),
    ].join('\n') + '\n',
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', BINARY, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
    : spawn(BINARY, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  await waitForPort(port, 5_000);
  return {
    port,
    configFile: join(dir, 'pgbouncer.ini'),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      if (asRoot) execFileSync('pkill', ['-f', join(dir, 'pgbouncer.ini')]);
      else child.kill();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2_000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`pgbouncer did not listen on ${port} within ${timeoutMs} ms`);
}

/**
 * Lets `user` log in through a running PgBouncer (trust auth still needs the name in its
 * auth_file): appends it and makes PgBouncer re-read its files (SIGHUP), then waits until
 * a login as that user works. Safe from any process of the run.
 */
export async function allowPgBouncerUser(
  bouncer: { port: number; configFile: string },
  user: string,
  timeoutMs = 5_000,
): Promise<void> {
  appendFileSync(join(dirname(bouncer.configFile), 'userlist.txt'), `"${user}" ""\n`);
  execFileSync('pkill', ['-HUP', '-f', bouncer.configFile]);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port: bouncer.port, user, database: 'pgbouncer_login_probe' });
    client.on('error', () => {});
    // A login PgBouncer accepts fails later, at the server, for the made-up database; a
    // user it does not know yet fails with "no such user" before that.
    const refusedUser = await client.connect().then(
      () => false,
      (error: Error) => /no such user|password authentication/i.test(error.message),
    );
    await client.end().catch(() => {});
    if (!refusedUser) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not take user ${user} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
