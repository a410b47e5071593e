// Issue 12's benchmark: pg.Pool (the reference), pg with named statements, kysely,
// postgres.js and @org/data-layer (../dist, `npm run build`) on the same SQL and fixture.
// Each library runs in its own child process (child.ts), the order rotated, repetitions
// interleaved; medians and ratios to pg.Pool from the same repetition; a markdown table and
// JSON (bench/results/latest.json).
//
//   npm run bench                       full: 3 repetitions, one process per library and workload
//   npm run bench -- --trace            statements, parses and round trips per operation
//   npm run bench -- --profile          CPU profile of each measured window, top functions by self time
//   npm run bench:short                 CI: 20-45 s, pg.Pool and data-layer, exit 1 only far off target
//   options: --repetitions N --libraries a,b --workloads a,b --out file.json
// Uses TEST_DATABASE_URL / DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres, in
// a schema of its own (dropped at the end); the rls workload logs in as a created plain role.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import pg from 'pg';

import type { WorkerSetup } from './child.js';
import { createFixture, dropFixture, RLS_ROLE } from './lib/fixture.js';
import { type CpuProfile, formatProfile, summariseProfile } from './lib/profile.js';
import { aggregate, type Failure, formatDetail, formatSummary, formatTrace } from './lib/report.js';
import { type ChildOutcome, LIBRARIES, type LibraryId, REFERENCE, type Sample } from './lib/types.js';
import { shortVerdict } from './lib/verdict.js';
import { WorkerHandle } from './lib/worker-handle.js';
import { defineWorkloads, type Workload } from './lib/workloads.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    repetitions: { type: 'string' },
    libraries: { type: 'string' },
    workloads: { type: 'string' },
    out: { type: 'string' },
  },
});

const ITEMS = 10_000;
const short = args.short;
const settings = {
  repetitions: Number(args.repetitions ?? (short || args.trace || args.profile ? 1 : 3)),
  warmupMs: short || args.trace ? 200 : 500,
  measureMs: short || args.trace ? 300 : 1_500,
  batchRows: 10_000,
  batches: short || args.trace ? 1 : 3,
  streamRows: short || args.trace ? 100_000 : 1_000_000,
};
const libraries = (args.libraries?.split(',') ?? (short ? [REFERENCE, 'data-layer'] : [...LIBRARIES])) as LibraryId[];
for (const library of libraries) if (!LIBRARIES.includes(library)) throw new Error(`unknown library ${library}`);
if (!libraries.includes(REFERENCE)) libraries.unshift(REFERENCE); // every ratio needs it
const workloads = defineWorkloads(ITEMS).filter(
  (w) => args.workloads === undefined || args.workloads.split(',').includes(w.id),
);
if (workloads.length === 0) throw new Error(`no workload matches --workloads ${args.workloads}`);
if (libraries.includes('data-layer') && !existsSync(path.join(benchDir, '../dist/index.js')))
  throw new Error('data-layer runs from the build: run `npm run build` first');

const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rlsUrl = (() => {
  const parsed = new URL(url);
  parsed.username = RLS_ROLE;
  parsed.password = '';
  return parsed.toString();
})();
const schema = `dl_bench_${process.pid}`;
const profileDir = path.join(benchDir, 'results', 'profiles');

async function serverVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version;
  } finally {
    await client.end();
  }
}

function setupFor(library: LibraryId): WorkerSetup {
  return {
    library,
    url,
    rlsUrl,
    schema,
    items: ITEMS,
    streamRows: settings.streamRows,
    batchRows: settings.batchRows,
    batches: settings.batches,
    window: { warmupMs: settings.warmupMs, measureMs: settings.measureMs },
    trace: args.trace,
    ...(args.profile && { profileDir }),
  };
}

/** Rotates `list` left by `by`, so each library takes every position across repetitions. */
function rotate<T>(list: readonly T[], by: number): T[] {
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/**
 * One repetition: a worker per library, then workload by workload each library in turn
 * (rotated), so the machine's drift hits every library alike. Streaming runs in a fresh
 * process per library, so its RSS growth is its own.
 */
async function repetition(index: number, selected: readonly Workload[]): Promise<ChildOutcome[]> {
  const outcomes: ChildOutcome[] = [];
  const offering = (workload: Workload) => libraries.filter((library) => workload.libraries.includes(library));
  const resident = selected.filter((w) => w.kind !== 'stream');
  const workers = new Map<LibraryId, WorkerHandle>();
  try {
    for (const library of libraries) {
      if (resident.some((w) => w.libraries.includes(library)))
        workers.set(library, await WorkerHandle.start(benchDir, setupFor(library)));
    }
    for (const [position, workload] of resident.entries()) {
      for (const library of rotate(offering(workload), index + position))
        outcomes.push(await workers.get(library)!.run(workload.id, index));
      process.stdout.write('.');
    }
  } finally {
    for (const worker of workers.values()) await worker.close();
  }
  for (const workload of selected.filter((w) => w.kind === 'stream')) {
    for (const library of rotate(offering(workload), index)) {
      const worker = await WorkerHandle.start(benchDir, setupFor(library), ['--expose-gc']);
      try {
        outcomes.push(await worker.run(workload.id, index));
      } finally {
        await worker.close();
      }
    }
    process.stdout.write('.');
  }
  process.stdout.write(` repetition ${index + 1}\n`);
  return outcomes;
}

function samplesOf(outcomes: readonly ChildOutcome[]): Sample[] {
  return outcomes.flatMap((o) => (o.ok ? [o.sample] : []));
}

const started = new Date();
const loadBefore = os.loadavg();
const outcomes: ChildOutcome[] = [];
console.log(
  `bench: ${libraries.join(', ')}; ${workloads.length} workloads; ${settings.repetitions} repetition(s); ` +
    `${short ? 'short' : args.trace ? 'trace' : args.profile ? 'profile' : 'full'} mode; schema ${schema}`,
);
await createFixture({ url, schema, items: ITEMS, streamRows: settings.streamRows });
try {
  if (args.profile) {
    await rm(profileDir, { recursive: true, force: true });
    await mkdir(profileDir, { recursive: true });
  }
  for (let index = 0; index < settings.repetitions; index++) outcomes.push(...(await repetition(index, workloads)));
  if (short) {
    // A ratio under a floor on one pass may be noise (another process took the CPU): measure
    // those workloads twice more and judge the medians.
    const { outside } = shortVerdict(aggregate(samplesOf(outcomes)), []);
    const again = workloads.filter((w) => outside.includes(w.id));
    if (again.length > 0) {
      console.log(`re-measuring ${again.map((w) => w.id).join(', ')}`);
      for (let index = 1; index <= 2; index++) outcomes.push(...(await repetition(index, again)));
    }
  }
} finally {
  await dropFixture(url, schema);
}

const samples = samplesOf(outcomes);
const failures: Failure[] = outcomes.flatMap((o) =>
  !o.ok && !o.skipped ? [{ library: o.library, workload: o.workload, reason: o.reason }] : [],
);
const table = aggregate(samples);
const input = { table, workloads, libraries, failures };
const sections = [
  '## Throughput, ratio to pg.Pool (medians)',
  formatSummary(input),
  '## Detail (medians; "x pg" = median of per-repetition ratios)',
  formatDetail(input),
];
if (args.trace) sections.push('## Wire trace, per operation', formatTrace(input));
if (args.profile) {
  for (const file of (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile')).sort()) {
    const profile = JSON.parse(await readFile(path.join(profileDir, file), 'utf8')) as CpuProfile;
    sections.push(formatProfile(file.replace('.cpuprofile', '').replace('--', ' · '), summariseProfile(profile)));
  }
}
for (const failure of failures) sections.push(`FAILED ${failure.library} ${failure.workload}: ${failure.reason}`);
console.log(`\n${sections.join('\n\n')}\n`);

const machine = {
  cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  postgres: await serverVersion(),
  loadAverage: { before: loadBefore, after: os.loadavg() },
};
const outFile = args.out ?? path.join(benchDir, 'results', 'latest.json');
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(
  outFile,
  `${JSON.stringify({ started: started.toISOString(), finished: new Date().toISOString(), settings, libraries, machine, samples, failures, table: Object.fromEntries([...table].map(([w, row]) => [w, Object.fromEntries(row)])) }, null, 2)}\n`,
);
console.log(
  `machine: ${machine.cpus}, node ${machine.node}, PostgreSQL ${machine.postgres}, load ${loadBefore.map((l) => l.toFixed(1)).join(' ')}; JSON: ${path.relative(process.cwd(), outFile)}`,
);

if (short) {
  const verdict = shortVerdict(table, failures);
  console.log(
    verdict.ok
      ? 'short bench: every ratio within the CI floors'
      : `short bench FAILED:\n  ${verdict.problems.join('\n  ')}`,
  );
  process.exitCode = verdict.ok ? 0 : 1;
} else if (failures.length > 0) {
  process.exitCode = 1;
}
