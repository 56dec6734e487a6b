/**
 * Growable edge arrays with dedup of (source, target) pairs, internal to `buildDag`. A class
 * rather than closures inside `buildDag` so that the optimised code keeps one call target and
 * one object shape across calls (closures made per call cost a deoptimisation in each run).
 */

/** In-edges of one target deduplicated by scanning, before switching to the mark array. */
const SCAN_LIMIT = 8

export class EdgeBuffer {
  from: Uint32Array
  to: Uint32Array
  kinds: Uint8Array
  key: Uint32Array
  multi: Uint8Array
  count = 0
  /** first edge of the current target (edges arrive grouped by target) */
  start = 0
  private cap: number
  // mark[2i] === j + 1 means edge mark[2i + 1] already goes i -> j (used past SCAN_LIMIT)
  private readonly mark: Int32Array

  constructor(txCount: number, capacity: number) {
    this.cap = Math.max(64, capacity)
    this.from = new Uint32Array(this.cap)
    this.to = new Uint32Array(this.cap)
    this.kinds = new Uint8Array(this.cap)
    this.key = new Uint32Array(this.cap)
    this.multi = new Uint8Array(this.cap)
    this.mark = new Int32Array(2 * txCount)
  }

  /** Starts the in-edges of target `j` (targets must come in ascending order). */
  begin(): void {
    this.start = this.count
  }

  /** Adds edge i -> j with kind bits and key, or merges them into an existing i -> j edge. */
  add(i: number, j: number, kind: number, k: number): void {
    const start = this.start
    const e = this.count
    const have = e - start
    if (have < SCAN_LIMIT) {
      // few in-edges so far: scan them (hot in cache), no random access
      const from = this.from
      for (let x = start; x < e; x++) {
        if (from[x] === i) {
          this.merge(x, kind, k)
          return
        }
      }
      this.push(i, j, kind, k)
      return
    }
    this.addMarked(i, j, kind, k)
  }

  private addMarked(i: number, j: number, kind: number, k: number): void {
    const mark = this.mark
    const j1 = j + 1
    if (this.count - this.start === SCAN_LIMIT) {
      for (let x = this.start; x < this.count; x++) {
        const m = 2 * (this.from[x] as number)
        mark[m] = j1
        mark[m + 1] = x
      }
    }
    const mi = 2 * i
    if (mark[mi] === j1) {
      this.merge(mark[mi + 1] as number, kind, k)
      return
    }
    mark[mi] = j1
    mark[mi + 1] = this.count
    this.push(i, j, kind, k)
  }

  private merge(x: number, kind: number, k: number): void {
    this.kinds[x] = (this.kinds[x] as number) | kind
    if (this.key[x] !== k) this.multi[x] = 1
  }

  private push(i: number, j: number, kind: number, k: number): void {
    const e = this.count
    if (e === this.cap) this.grow()
    this.from[e] = i
    this.to[e] = j
    this.kinds[e] = kind
    this.key[e] = k
    this.count = e + 1
  }

  private grow(): void {
    const cap = this.cap + (this.cap >>> 1) + 64
    const from = new Uint32Array(cap)
    from.set(this.from)
    this.from = from
    const to = new Uint32Array(cap)
    to.set(this.to)
    this.to = to
    const kinds = new Uint8Array(cap)
    kinds.set(this.kinds)
    this.kinds = kinds
    const key = new Uint32Array(cap)
    key.set(this.key)
    this.key = key
    const multi = new Uint8Array(cap)
    multi.set(this.multi)
    this.multi = multi
    this.cap = cap
  }
}
