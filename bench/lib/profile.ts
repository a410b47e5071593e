// Summarises a V8 .cpuprofile (--profile): self time by function and by where the code
// lives (Node core, the library, pg, ...). Pure, unit-tested in bench/test.

export interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly category: string;
  readonly selfMs: number;
  /** Of the busy (non-idle) time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly top: readonly ProfileEntry[];
  readonly categories: readonly ProfileEntry[];
}

/** Where a frame's code lives: Node core, a package under node_modules, the library's dist, ... */
export function categoryOf(functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'gc';
    if (functionName === '(program)' || functionName === '(idle)') return functionName;
    return 'native';
  }
  if (url.startsWith('node:')) return 'node core';
  const packages = url.split('/node_modules/');
  if (packages.length > 1) {
    const rest = packages[packages.length - 1]!.split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (/\/dist\/[^/]+\.js$/.test(url)) return '@org/data-layer';
  if (url.includes('/bench/')) return 'bench harness';
  return 'other';
}

function shortUrl(url: string): string {
  const parts = url.split('/');
  return parts.slice(-2).join('/');
}

export function summariseProfile(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfUs = new Map<string, { category: string; us: number }>();
  const categoryUs = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[index] ?? 0;
    if (frame === undefined || frame.functionName === '(idle)') return;
    const category = categoryOf(frame.functionName, frame.url);
    const name = `${frame.functionName || '(anonymous)'}${frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : ''}`;
    const entry = selfUs.get(name) ?? { category, us: 0 };
    entry.us += us;
    selfUs.set(name, entry);
    categoryUs.set(category, (categoryUs.get(category) ?? 0) + us);
    busyUs += us;
  });
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  const top = [...selfUs.entries()]
    .map(([name, { category, us }]) => ({ name, category, selfMs: us / 1000, share: share(us) }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, topN);
  const categories = [...categoryUs.entries()]
    .map(([category, us]) => ({ name: category, category, selfMs: us / 1000, share: share(us) }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { busyMs: busyUs / 1000, top, categories };
}

export function formatProfile(title: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  const lines = [
    `### ${title} (busy ${summary.busyMs.toFixed(0)} ms)`,
    '',
    '| where | self | share |',
    '|---|---|---|',
  ];
  for (const entry of summary.categories)
    lines.push(`| ${entry.name} | ${entry.selfMs.toFixed(1)} ms | ${pct(entry.share)} |`);
  lines.push('', '| function (self time) | where | self | share |', '|---|---|---|---|');
  for (const entry of summary.top)
    lines.push(`| \`${entry.name}\` | ${entry.category} | ${entry.selfMs.toFixed(1)} ms | ${pct(entry.share)} |`);
  return lines.join('\n');
}
