import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './tcp.js';

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));

/** Why PgBouncer tests cannot run here, or undefined when they can. */
export function pgbouncerUnavailable(): string | undefined {
  return BINARY === undefined ? 'pgbouncer is not installed (apt-get install pgbouncer)' : undefined;
}

export interface PgBouncer {
  port: number;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
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
    ].join('\n') + '\n',
  );
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = asRoot
    ? spawn('runuser', ['-u', 'postgres', '--', BINARY, join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
    : spawn(BINARY, [join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  await waitForPort(port, 5_000);
  return {
    port,
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
