// Counts PostgreSQL frontend protocol messages (--trace): a parser over the byte stream a
// client sends, and a TCP proxy in front of the server that feeds it. Node built-ins only.
import net from 'node:net';

import type { WireCounts } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function emptyCounts(): Mutable<WireCounts> {
  return { query: 0, parse: 0, bind: 0, execute: 0, sync: 0, flush: 0 };
}

const TYPES: Record<string, keyof WireCounts> = {
  Q: 'query',
  P: 'parse',
  B: 'bind',
  E: 'execute',
  S: 'sync',
  H: 'flush',
};
// Untyped startup-phase requests (SSLRequest, GSSENCRequest) that precede the StartupMessage.
const PRE_STARTUP_CODES = new Set([80_877_103, 80_877_104]);

/**
 * Incremental parser of one connection's frontend stream. The first message(s) have no
 * type byte (StartupMessage, optionally preceded by SSLRequest/GSSENCRequest); every later
 * one is a type byte and an int32 length that counts itself.
 */
export class FrontendParser {
  #buffer: Buffer = Buffer.alloc(0);
  #startup = true;

  constructor(private readonly counts: Mutable<WireCounts>) {}

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      if (this.#startup) {
        if (this.#buffer.length < 8) return;
        const length = this.#buffer.readInt32BE(0);
        if (this.#buffer.length < length) return;
        const code = this.#buffer.readInt32BE(4);
        this.#startup = PRE_STARTUP_CODES.has(code);
        this.#buffer = this.#buffer.subarray(length);
        continue;
      }
      if (this.#buffer.length < 5) return;
      const length = this.#buffer.readInt32BE(1);
      if (this.#buffer.length < 1 + length) return;
      const field = TYPES[String.fromCharCode(this.#buffer[0]!)];
      if (field !== undefined) this.counts[field]++;
      this.#buffer = this.#buffer.subarray(1 + length);
    }
  }
}

export interface WireProxy {
  readonly port: number;
  readonly counts: WireCounts;
  close(): Promise<void>;
}

/** A proxy on 127.0.0.1:<ephemeral> to `target`, counting every client's messages. */
export async function startWireProxy(target: { host: string; port: number }): Promise<WireProxy> {
  const counts = emptyCounts();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    const parser = new FrontendParser(counts);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => parser.push(chunk));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    counts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** (after − before) ÷ operations, per field. */
export function countsPerOperation(before: WireCounts, after: WireCounts, operations: number): WireCounts {
  const per = emptyCounts();
  for (const key of Object.keys(per) as Array<keyof WireCounts>) per[key] = (after[key] - before[key]) / operations;
  return per;
}
