import { describe, expect, inject, it } from 'vitest';

import { probeRedis } from '../support/redis-probe.js';
import { freePort, startSilentServer } from '../support/tcp.js';

describe('probeRedis (how the suite decides to skip Redis tests)', () => {
  it('reports a refused port at once, naming host and port', async () => {
    const started = performance.now();
    const port = await freePort();
    expect(await probeRedis(`redis://127.0.0.1:${port}`)).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\)`),
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('gives up on a server that accepts and never answers within the bound', async () => {
    const silent = await startSilentServer();
    try {
      const started = performance.now();
      expect(await probeRedis(`redis://127.0.0.1:${silent.port}`, 150)).toBe(
        `no answer from Redis at 127.0.0.1:${silent.port} within 150 ms`,
      );
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await silent.close();
    }
  });

  it.skipIf(inject('redisUnavailable') !== '')('answers undefined for the Redis this run uses', async () => {
    expect(await probeRedis(inject('redisUrl'))).toBeUndefined();
  });
});
