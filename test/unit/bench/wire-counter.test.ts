import { describe, expect, it } from 'vitest';

import { countsPerOperation, emptyCounts, FrontendParser } from '../../../bench/lib/wire-counter.js';

function message(type: string, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

function untyped(code: number, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8);
  header.writeInt32BE(8 + body.length, 0);
  header.writeInt32BE(code, 4);
  return Buffer.concat([header, body]);
}

describe('wire trace parser', () => {
  it('skips SSLRequest and StartupMessage, then counts Query, Parse, Bind, Execute and Sync', () => {
    const counts = emptyCounts();
    const parser = new FrontendParser(counts);
    const stream = Buffer.concat([
      untyped(80_877_103), // SSLRequest
      untyped(196_608, Buffer.from('user\0postgres\0\0')), // StartupMessage, protocol 3.0
      message('p', Buffer.from('password\0')), // PasswordMessage: not counted
      message('Q', Buffer.from('begin\0')),
      message('P', Buffer.from('\0select 1\0\0\0')),
      message('B', Buffer.alloc(8)),
      message('D', Buffer.from('P\0')),
      message('E', Buffer.alloc(5)),
      message('S'),
      message('E', Buffer.alloc(5)),
      message('H'),
      message('X'),
    ]);
    // Split at every byte: the parser must not depend on chunk boundaries.
    for (let i = 0; i < stream.length; i++) parser.push(stream.subarray(i, i + 1));
    expect(counts).toEqual({ query: 1, parse: 1, bind: 1, execute: 2, sync: 1, flush: 1 });
  });

  it('a startup message whose code looks like a type byte is still skipped whole', () => {
    const counts = emptyCounts();
    new FrontendParser(counts).push(
      Buffer.concat([untyped(196_608, Buffer.from('QQQQ\0\0')), message('Q', Buffer.from('x\0'))]),
    );
    expect(counts.query).toBe(1);
  });

  it('per-operation counts divide the difference', () => {
    const before = { query: 2, parse: 0, bind: 0, execute: 0, sync: 0, flush: 0 };
    const after = { query: 4, parse: 10, bind: 10, execute: 10, sync: 10, flush: 5 };
    expect(countsPerOperation(before, after, 10)).toEqual({
      query: 0.2,
      parse: 1,
      bind: 1,
      execute: 1,
      sync: 1,
      flush: 0.5,
    });
  });
});
