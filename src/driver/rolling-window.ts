/**
 * The last `capacity` samples in a ring buffer: memory stays constant however many
 * samples are added. Percentiles are computed on demand (nearest rank), so adding
 * a sample on the query hot path is O(1).
 */
export class RollingWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #size = 0;

  constructor(capacity = 1024) {
    this.#samples = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  add(value: number): void {
    this.#samples[this.#next] = value;
    this.#next = (this.#next + 1) % this.#samples.length;
    if (this.#size < this.#samples.length) this.#size++;
  }

  /** Nearest-rank percentile for each `p` in 0..100; 0 when the window is empty. */
  percentiles(...ps: number[]): number[] {
    if (this.#size === 0) return ps.map(() => 0);
    const sorted = this.#samples.slice(0, this.#size).sort();
    return ps.map((p) => {
      const rank = Math.ceil((p / 100) * sorted.length);
      return round(sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0);
    });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
