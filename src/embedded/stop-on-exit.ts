import fs from 'node:fs';

/** What the exit guard needs of a running server: synchronous, since 'exit' allows no awaiting. */
export interface ExitStoppable {
  /** Asks the server to stop now, waits a bounded time, and removes temporary data. */
  stopSync(): void;
}

const running = new Set<ExitStoppable>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Stops `server` when the process ends without `close()`: on 'exit' (normal end or
 * `process.exit()`), and on SIGINT/SIGTERM/SIGHUP when nothing else handles them, in which
 * case the signal is re-raised so the process still ends by that signal. The exit code is
 * never changed. Returns the function that unregisters it (called by `stop()`).
 *
 * @example
 * ```ts
 * const unregister = stopOnExit(server)
 * // ... later, after a clean stop:
 * unregister()
 * ```
 */
export function stopOnExit(server: ExitStoppable): () => void {
  if (running.size === 0) {
    process.on('exit', stopAll);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(server);
  return () => {
    if (!running.delete(server) || running.size > 0) return;
    process.removeListener('exit', stopAll);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}

function stopAll(): void {
  for (const server of running) {
    try {
      server.stopSync();
    } catch {
      // Best effort at exit: one server failing to stop must not keep others running.
    }
  }
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // The host has its own handler (a graceful shutdown that will call close()): leave it
  // in charge; 'exit' still stops what is left.
  if (process.listenerCount(signal) > 1) return;
  stopAll();
  process.removeListener('exit', stopAll);
  for (const each of SIGNALS) process.removeListener(each, onSignal);
  process.kill(process.pid, signal);
}

/** Sends `signal` to the postmaster named in `dataDir/postmaster.pid`; false when there is none. */
export function signalPostmaster(dataDir: string, signal: NodeJS.Signals): boolean {
  const pid = readPid(`${dataDir}/postmaster.pid`);
  if (pid === undefined) return false;
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** `signalPostmaster`, then waits (up to `timeoutMs`) for the server to remove its pid file. */
export function signalPostmasterSync(dataDir: string, signal: NodeJS.Signals, timeoutMs: number): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!signalPostmaster(dataDir, signal)) return;
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (fs.existsSync(pidFile) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
