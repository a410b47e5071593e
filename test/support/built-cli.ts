import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

/**
 * Builds the CLI the way tsup builds `dist/cli/index.js` (same entry, ESM, dependencies
 * external), without type declarations so it takes seconds, into a directory of its own
 * under node_modules/.cache (so `kysely` and `pg` resolve as they would for a user).
 */
export function buildCli(): string {
  const outDir = resolve(ROOT, `node_modules/.cache/data-layer-cli-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  execFileSync(
    process.execPath,
    [
      resolve(ROOT, 'node_modules/tsup/dist/cli-default.js'),
      'src/cli/index.ts',
      '--no-config',
      '--format',
      'esm',
      '--target',
      'node20',
      '--platform',
      'node',
      '--out-dir',
      outDir,
    ],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  const entry = resolve(outDir, 'index.js');
  if (!existsSync(entry)) throw new Error(`the CLI build wrote no ${entry}`);
  return entry;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI in a child process with plain `node` and the given environment. */
export async function runBuiltCli(
  entry: string,
  args: readonly string[],
  env: Record<string, string>,
  cwd = ROOT,
): Promise<CliRun> {
  try {
    const { stdout, stderr } = await run(process.execPath, [entry, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      cwd,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}
