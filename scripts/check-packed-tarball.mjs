// Packs the library as npm would publish it, lints the tarball (publint, and
// arethetypeswrong for every resolution mode), installs it into a scratch consumer,
// and checks that require(), import and TypeScript (node16 resolution, both module
// kinds) all see the same public API on "." and "./testing".
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'data-layer-consumer-'));
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });

try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', scratch], root));
  const tarball = join(scratch, packed[0].filename);
  const files = packed[0].files.map((file) => file.path);
  for (const forbidden of [/^src\//, /^test\//, /^node_modules\//, /\.env/]) {
    const leaked = files.filter((file) => forbidden.test(file));
    if (leaked.length > 0) throw new Error(`tarball contains files it should not: ${leaked.join(', ')}`);
  }
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  execFileSync(bin('publint'), ['run', tarball, '--strict'], { stdio: 'inherit' });
  execFileSync(bin('attw'), [tarball, '--format', 'table-flipped'], { stdio: 'inherit' });

  const { peerDependencies } = JSON.parse(run('node', ['-p', 'JSON.stringify(require("./package.json"))'], root));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      tarball,
      `pg@${peerDependencies.pg}`,
      `kysely@${peerDependencies.kysely}`,
    ],
    scratch,
  );

  const probe = (load) => `
    const main = ${load('@org/data-layer')};
    const testing = ${load('@org/data-layer/testing')};
    const assert = (ok, what) => { if (!ok) { console.error('FAILED: ' + what); process.exit(1); } };
    assert(typeof main.createDatabase === 'function', 'createDatabase is exported');
    assert(typeof main.mapPostgresError === 'function', 'mapPostgresError is exported');
    assert(typeof testing.findTestServer === 'function', 'testing.findTestServer is exported');
    assert(typeof testing.withRollback === 'function', 'testing.withRollback is exported');
    const error = main.mapPostgresError(Object.assign(new Error('dup'), { code: '23505' }));
    assert(error instanceof main.ConflictError && error instanceof main.DataLayerError, 'error classes keep identity');
    let configError;
    try { main.createDatabase({ pool: { max: 0 } }); } catch (caught) { configError = caught; }
    assert(configError instanceof main.ConfigError, 'bad options throw ConfigError');
    const fake = new testing.InMemoryRepository({ table: 'things', columns: ['id', 'name'] });
    fake.getById(1).then(() => assert(false, 'getById of a missing row rejects'), (caught) => {
      assert(caught instanceof main.NotFoundError, 'errors from @org/data-layer/testing are instances of the main classes');
    });
    const db = main.createDatabase({ host: '127.0.0.1', logger: 'silent' });
    assert(typeof db.kysely.selectFrom === 'function', 'db.kysely is a Kysely instance');
    Promise.all([db.close(), fake.getById(1).catch(() => undefined)]).then(() => setTimeout(() => console.log('ok'), 10));
  `;
  writeFileSync(
    join(scratch, 'probe.cjs'),
    probe((name) => `require('${name}')`),
  );
  writeFileSync(
    join(scratch, 'probe.mjs'),
    probe((name) => `await import('${name}')`),
  );
  for (const file of ['probe.cjs', 'probe.mjs']) {
    const output = run('node', [file], scratch).trim();
    if (output !== 'ok') throw new Error(`${file} printed ${output}`);
    console.log(`packed tarball: ${file} ok`);
  }

  const typed = `
    import { createDatabase, ConflictError, type Database, type HealthReport } from '@org/data-layer';
    import { findTestServer, type TestServer } from '@org/data-layer/testing';
    interface DB { users: { id: number; email: string } }
    const db: Database<DB> = createDatabase<DB>({ host: 'localhost' });
    const query = db.kysely.selectFrom('users').select(['id', 'email']);
    export type Row = Awaited<ReturnType<typeof query.executeTakeFirstOrThrow>>;
    export const email: (row: Row) => string = (row) => row.email;
    export const health: () => Promise<HealthReport> = () => db.health();
    export const server: () => Promise<TestServer> = () => findTestServer();
    export const isConflict = (error: unknown): boolean => error instanceof ConflictError && error.columns.length > 0;
  `;
  writeFileSync(join(scratch, 'typed.mts'), typed);
  writeFileSync(join(scratch, 'typed.cts'), typed);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2022',
        skipLibCheck: false,
        types: [],
      },
      files: ['typed.mts', 'typed.cts'],
    }),
  );
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], scratch);
  console.log('packed tarball: TypeScript consumer (ESM and CJS) type-checks');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
