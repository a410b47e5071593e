/** How many replaced versions of one table a process remembers. */
const RETIRED_KEPT = 32;

/**
 * The table versions one process has seen, in the order the store reported them. Tokens
 * are never reused, so a store that answers with a version this process already saw
 * replaced went back in time (e.g. Redis restarted from an older RDB snapshot or a
 * failover to a lagging replica) and would serve entries from before later writes.
 *
 * ```ts
 * const history = new VersionHistory()
 * history.observe('people', 'v1') // 'current'
 * history.observe('people', 'v2') // 'current' (v1 retired)
 * history.observe('people', 'v1') // 'rewound'
 * ```
 */
export class VersionHistory {
  readonly #tables = new Map<string, { current: string; retired: string[] }>();

  /** Records `version` as the table's current one, or reports that it was already replaced. */
  observe(table: string, version: string): 'current' | 'rewound' {
    const known = this.#tables.get(table);
    if (known === undefined) {
      this.#tables.set(table, { current: version, retired: [] });
      return 'current';
    }
    if (known.current === version) return 'current';
    if (known.retired.includes(version)) return 'rewound';
    known.retired.push(known.current);
    if (known.retired.length > RETIRED_KEPT) known.retired.shift();
    known.current = version;
    return 'current';
  }
}
