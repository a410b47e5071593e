// One library in its own process (forked by run.ts with an IPC channel): it opens the
// library once, then runs each workload the parent asks for and sends back a ChildOutcome,
// so the parent can interleave libraries workload by workload. Not meant to be run by hand.
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

import type { Adapter, AdapterConfig } from './adapters/adapter.js';
import { verifyWrites } from './lib/fixture.js';
import { measureBatch, type Measured, measureOps, measureStream, type Window } from './lib/measure.js';
import type { ChildOutcome, LibraryId, WireCounts } from './lib/types.js';
import { countsPerOperation, startWireProxy, type WireProxy } from './lib/wire-counter.js';
import { defineWorkloads } from './lib/workloads.js';

/** What run.ts passes in the first message. */
export interface WorkerSetup {
  readonly library: LibraryId;
  readonly url: string;
  readonly rlsUrl: string;
  readonly schema: string;
  readonly items: number;
  readonly streamRows: number;
  readonly batchRows: number;
  readonly batches: number;
  readonly window: Window;
  readonly trace: boolean;
  readonly profileDir?: string;
}

export type WorkerRequest =
  | { readonly type: 'setup'; readonly setup: WorkerSetup }
  | { readonly type: 'run'; readonly workload: string; readonly repetition: number }
  | { readonly type: 'close' };

export type WorkerReply = { readonly type: 'ready' } | { readonly type: 'outcome'; readonly outcome: ChildOutcome };

const ADAPTERS: Record<LibraryId, string> = {
  'pg-pool': './adapters/pg-pool.js',
  'pg-named': './adapters/pg-named.js',
  kysely: './adapters/kysely.js',
  'postgres.js': './adapters/postgres-js.js',
  'data-layer': './adapters/data-layer.js',
};

/** In trace mode every connection goes through the counting proxy. */
function throughProxy(url: string, proxy: WireProxy | undefined): string {
  if (proxy === undefined) return url;
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

/** --profile: a V8 CPU profile of the measured window (started by onWindow), written to `file`. */
async function startProfile(file: string): Promise<() => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}

class Worker {
  private constructor(
    readonly setup: WorkerSetup,
    readonly adapter: Adapter,
    readonly proxy: WireProxy | undefined,
  ) {}

  static async start(setup: WorkerSetup): Promise<Worker> {
    const target = new URL(setup.url);
    const proxy = setup.trace
      ? await startWireProxy({ host: target.hostname, port: Number(target.port || 5432) })
      : undefined;
    const config: AdapterConfig = {
      url: throughProxy(setup.url, proxy),
      rlsUrl: throughProxy(setup.rlsUrl, proxy),
      schema: setup.schema,
      poolSize: 10,
      idleTimeoutMs: 250,
      items: setup.items,
    };
    const module = (await import(ADAPTERS[setup.library])) as { createAdapter: (config: AdapterConfig) => Adapter };
    return new Worker(setup, module.createAdapter(config), proxy);
  }

  async run(name: string, repetition: number): Promise<ChildOutcome> {
    const { library, window } = this.setup;
    const workload = defineWorkloads(this.setup.items).find((w) => w.id === name);
    if (workload === undefined || !workload.libraries.includes(library))
      return { ok: false, library, workload: name, skipped: true, reason: 'not offered by this library' };
    const tag = `${library}:${name}:r${repetition}:${process.pid}`;
    try {
      await this.adapter.prepare?.(name);
      let before: WireCounts | undefined;
      let stopProfile: (() => Promise<void>) | undefined;
      const { profileDir } = this.setup;
      const onWindow = async () => {
        if (profileDir !== undefined) stopProfile = await startProfile(`${profileDir}/${library}--${name}.cpuprofile`);
        before = this.proxy && { ...this.proxy.counts };
      };
      const { windowOperations, ...measured }: Measured =
        workload.kind === 'stream'
          ? await measureStream(this.adapter, this.setup.streamRows, onWindow)
          : workload.kind === 'batch'
            ? await measureBatch(this.adapter, window, tag, this.setup.batchRows, this.setup.batches, onWindow)
            : await measureOps(workload, this.adapter, window, tag, onWindow);
      const trace = before && this.proxy && countsPerOperation(before, this.proxy.counts, windowOperations);
      await stopProfile?.();
      if (workload.verify !== undefined) {
        const reason = await verifyWrites(this.setup.url, this.setup.schema, tag, measured.operations, workload.verify);
        if (reason !== undefined) throw new Error(`verification failed: ${reason}`);
      }
      return { ok: true, sample: { library, workload: name, repetition, ...measured, ...(trace && { trace }) } };
    } catch (error) {
      return { ok: false, library, workload: name, skipped: false, reason: (error as Error).stack ?? String(error) };
    }
  }

  async close(): Promise<void> {
    await this.adapter.close();
    await this.proxy?.close();
  }
}

const send = (reply: WorkerReply) => process.send!(reply);
let worker: Worker | undefined;
// Requests are handled one at a time, in order: the parent sends the next after the reply.
let queue = Promise.resolve();
process.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    if (request.type === 'setup') {
      worker = await Worker.start(request.setup);
      send({ type: 'ready' });
    } else if (request.type === 'run') {
      send({ type: 'outcome', outcome: await worker!.run(request.workload, request.repetition) });
    } else {
      await worker?.close();
      process.disconnect();
    }
  });
});
