// The parent's side of a child.ts worker: fork it with tsx, hand it the setup, ask for one
// workload at a time. A worker that dies turns its pending request into a failure.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

import type { WorkerReply, WorkerRequest, WorkerSetup } from '../child.js';
import type { ChildOutcome } from './types.js';

export class WorkerHandle {
  #pending: ((reply: WorkerReply | Error) => void) | undefined;
  #stderr = '';

  private constructor(
    readonly setup: WorkerSetup,
    readonly process: ChildProcess,
  ) {
    process.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4_000);
    });
    process.on('message', (reply: WorkerReply) => this.#settle(reply));
    process.on('exit', (code, signal) => this.#settle(new Error(`worker exited (${signal ?? code}): ${this.#stderr}`)));
  }

  #settle(reply: WorkerReply | Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(reply);
  }

  #request(request: WorkerRequest): Promise<WorkerReply | Error> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      if (this.process.exitCode !== null || !this.process.connected)
        this.#settle(new Error(`worker is gone: ${this.#stderr}`));
      else this.process.send(request);
    });
  }

  static async start(benchDir: string, setup: WorkerSetup, execArgv: readonly string[] = []): Promise<WorkerHandle> {
    const child = fork(path.join(benchDir, 'child.ts'), [], {
      cwd: benchDir,
      execArgv: [...execArgv, '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const handle = new WorkerHandle(setup, child);
    const reply = await handle.#request({ type: 'setup', setup });
    if (reply instanceof Error) throw reply;
    return handle;
  }

  async run(workload: string, repetition: number): Promise<ChildOutcome> {
    const reply = await this.#request({ type: 'run', workload, repetition });
    if (reply instanceof Error)
      return { ok: false, library: this.setup.library, workload, skipped: false, reason: reply.message };
    if (reply.type !== 'outcome') throw new Error(`unexpected reply ${reply.type}`);
    return reply.outcome;
  }

  async close(): Promise<void> {
    if (!this.process.connected) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.send({ type: 'close' } satisfies WorkerRequest);
    await exited;
  }
}
