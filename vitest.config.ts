import net from 'node:net';
import { defineConfig } from 'vitest/config';

/**
 * Test files run in parallel, each in its own schema, except on the embedded PGlite
 * fallback, where every connection shares one session and files must take turns.
 */
async function localServerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: 5432, timeout: 1_000 });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export default defineConfig(async () => {
  const forcedEmbedded = process.env.DATA_LAYER_TEST_SERVER === 'embedded';
  const parallel = !forcedEmbedded && (Boolean(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL) || (await localServerAnswers()));
  return {
    test: {
      include: ['test/**/*.test.ts'],
      globalSetup: ['test/support/global-setup.ts'],
      pool: 'forks',
      fileParallelism: parallel,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      typecheck: {
        enabled: true,
        include: ['test/types/**/*.test-d.ts'],
        tsconfig: './tsconfig.json',
      },
    },
  };
});
