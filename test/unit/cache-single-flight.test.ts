import { describe, expect, it } from 'vitest';

import { cloneCacheValue } from '../../src/middleware/cache/index.js';
import { SingleFlight } from '../../src/middleware/cache/single-flight.js';
import { gate } from '../support/async.js';

describe('SingleFlight', () => {
  it('runs the work once for concurrent calls with the same key', async () => {
    const flights = new SingleFlight();
    const open = gate();
    let runs = 0;
    const work = async () => {
      runs++;
      await open.promise;
      return { n: 1 };
    };
    const calls = Array.from({ length: 5 }, () => flights.run('k', work, cloneCacheValue));
    expect(calls.map((call) => call.leader)).toEqual([true, false, false, false, false]);
    expect(flights.size).toBe(1);
    open.open();
    const values = await Promise.all(calls.map((call) => call.result));
    expect(runs).toBe(1);
    expect(values).toEqual(Array.from({ length: 5 }, () => ({ n: 1 })));
    expect(new Set(values).size).toBe(5); // everyone has an own object
    expect(flights.size).toBe(0);
  });

  it('gives followers a snapshot taken before the leader could mutate the value', async () => {
    const flights = new SingleFlight();
    const open = gate();
    const leader = flights.run('k', async () => (await open.promise, { n: 1 }), cloneCacheValue);
    const follower = flights.run('k', async () => ({ n: -1 }), cloneCacheValue);
    open.open();
    const mine = await leader.result;
    mine.n = 42;
    expect(await follower.result).toEqual({ n: 1 });
  });

  it('runs different keys independently and frees a key once settled', async () => {
    const flights = new SingleFlight();
    let runs = 0;
    const work = async () => ++runs;
    await Promise.all([flights.run('a', work, (v) => v).result, flights.run('b', work, (v) => v).result]);
    await flights.run('a', work, (v) => v).result;
    expect(runs).toBe(3);
  });

  it('hands a rejection to every caller and frees the key', async () => {
    const flights = new SingleFlight();
    const open = gate();
    const failing = async () => {
      await open.promise;
      throw new Error('boom');
    };
    const first = flights.run('k', failing, (v) => v);
    const second = flights.run('k', failing, (v) => v);
    open.open();
    await expect(first.result).rejects.toThrow('boom');
    await expect(second.result).rejects.toThrow('boom');
    expect(flights.size).toBe(0);
    expect(
      await flights.run(
        'k',
        async () => 'ok',
        (v) => v,
      ).result,
    ).toBe('ok');
  });

  it('frees the key when the work throws synchronously', async () => {
    const flights = new SingleFlight();
    const { result } = flights.run(
      'k',
      () => {
        throw new Error('sync');
      },
      (v) => v,
    );
    await expect(result).rejects.toThrow('sync');
    expect(flights.size).toBe(0);
  });
});
