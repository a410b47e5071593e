import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './tcp.js';

function findBinary(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v redis-server'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

const BINARY = findBinary();

/** Why a private Redis cannot be started here, or undefined when it can. */
export function privateRedisUnavailable(): string | undefined {
  return BINARY === undefined ? 'redis-server is not installed (apt-get install redis-server)' : undefined;
}

export interface PrivateRedis {
  readonly port: number;
  /** Stops the server: `SIGTERM` (a clean shutdown) or `SIGKILL` (a crash). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it for good and removes its directory. Idempotent. */
  close(): Promise<void>;
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Starts a throwaway `redis-server` on a port of its own (never the shared 6379), as a
 * child of this process, without persistence unless `persistence: true` (then an
 * append-only file in its own temp directory, so a restart restores the data). Killed
 * on `close()` and when this process exits.
 *
 * ```ts
 * const redis = await startPrivateRedis()
 * try { await redis.stop('SIGKILL'); await redis.start() } finally { await redis.close() }
 * ```
 */
export async function startPrivateRedis(options: { persistence?: boolean } = {}): Promise<PrivateRedis> {
  if (BINARY === undefined) throw new Error(privateRedisUnavailable());
  const binary = BINARY;
  const dir = mkdtempSync(join(tmpdir(), 'data-layer-redis-'));
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.persistence ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const child of children) child.kill('SIGKILL');
    });
  }
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child !== undefined) throw new Error('private redis is already running');
    const started = spawn(binary, args, { stdio: 'ignore' });
    children.add(started);
    started.once('exit', () => children.delete(started));
    child = started;
    await waitForPort(port, 5_000);
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const running = child;
    if (running === undefined) return;
    child = undefined;
    if (running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  };
  await start();
  let closed: Promise<void> | undefined;
  return {
    port,
    stop,
    start,
    close: () =>
      (closed ??= (async () => {
        await stop('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      })()),
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
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
}
