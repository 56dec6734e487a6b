/**
 * Independent reference definitions for the DAG tests: random compact inputs, and a brute-force
 * O(n^2) conflict relation written from the rules, not from the code under test.
 */
import fc from 'fast-check'
import type { CompactAccesses } from '../../src/dag/index.js'

export interface Entry {
  key: number
  kind: 0 | 1 | 2 | 3
}

/** Builds CompactAccesses from per-tx entry lists. */
export function compact(txs: Entry[][], keyCount: number, gas?: number[]): CompactAccesses {
  const offsets = new Uint32Array(txs.length + 1)
  const keys: number[] = []
  const kinds: number[] = []
  txs.forEach((t, j) => {
    for (const e of t) {
      keys.push(e.key)
      kinds.push(e.kind)
    }
    offsets[j + 1] = keys.length
  })
  return {
    txCount: txs.length,
    offsets,
    keys: Uint32Array.from(keys),
    kinds: Uint8Array.from(kinds),
    gas: Float64Array.from(gas ?? txs.map(() => 1)),
    keyCount,
  }
}

/** Random small batches: few keys so that conflicts are frequent. */
export const smallBatchArb: fc.Arbitrary<{ txs: Entry[][]; keyCount: number; gas: number[] }> = fc
  .integer({ min: 1, max: 5 })
  .chain((keyCount) =>
    fc
      .array(
        fc.array(
          fc.record({
            key: fc.nat(keyCount - 1),
            kind: fc.constantFrom<0 | 1 | 2 | 3>(0, 0, 1, 2, 2, 3),
          }),
          { maxLength: 4 },
        ),
        { maxLength: 16 },
      )
      .chain((txs) =>
        fc.record({
          txs: fc.constant(txs),
          keyCount: fc.constant(keyCount),
          gas: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: txs.length, maxLength: txs.length }),
        }),
      ),
  )

/** Per tx: key -> {read, write, credit} merged from its entries. */
export function mergedAccess(txs: Entry[][]): Map<number, { r: boolean; w: boolean; c: boolean }>[] {
  return txs.map((t) => {
    const m = new Map<number, { r: boolean; w: boolean; c: boolean }>()
    for (const { key, kind } of t) {
      const a = m.get(key) ?? { r: false, w: false, c: false }
      if (kind === 0 || kind === 3) a.r = true
      if (kind === 1 || kind === 3) a.w = true
      if (kind === 2) a.c = true
      m.set(key, a)
    }
    return m
  })
}

/**
 * Brute-force conflicting pairs (i < j) per the rules: i writes and j reads or writes; i credits
 * and j reads or writes; i reads and j writes. Credits conflict with nothing else.
 */
export function conflictingPairs(txs: Entry[][]): [number, number][] {
  const acc = mergedAccess(txs)
  const out: [number, number][] = []
  for (let i = 0; i < txs.length; i++) {
    for (let j = i + 1; j < txs.length; j++) {
      let hit = false
      for (const [k, a] of acc[i] as Map<number, { r: boolean; w: boolean; c: boolean }>) {
        const b = (acc[j] as Map<number, { r: boolean; w: boolean; c: boolean }>).get(k)
        if (b === undefined) continue
        if (((a.w || a.c) && (b.r || b.w)) || (a.r && b.w)) hit = true
      }
      if (hit) out.push([i, j])
    }
  }
  return out
}

/** reach[i][j]: j reachable from i by following edges (BFS; small graphs only). */
export function reachability(n: number, from: ArrayLike<number>, to: ArrayLike<number>, m: number): boolean[][] {
  const adj: number[][] = Array.from({ length: n }, () => [])
  for (let e = 0; e < m; e++) (adj[from[e] as number] as number[]).push(to[e] as number)
  return Array.from({ length: n }, (_, s) => {
    const seen = new Array<boolean>(n).fill(false)
    const stack = [s]
    while (stack.length > 0) {
      const v = stack.pop() as number
      for (const w of adj[v] as number[]) {
        if (!seen[w]) {
          seen[w] = true
          stack.push(w)
        }
      }
    }
    return seen
  })
}

/** Undirected connectivity labels by naive flood fill (small graphs only). */
export function naiveComponents(n: number, from: ArrayLike<number>, to: ArrayLike<number>, m: number): number[] {
  const adj: number[][] = Array.from({ length: n }, () => [])
  for (let e = 0; e < m; e++) {
    ;(adj[from[e] as number] as number[]).push(to[e] as number)
    ;(adj[to[e] as number] as number[]).push(from[e] as number)
  }
  const label = new Array<number>(n).fill(-1)
  let next = 0
  for (let s = 0; s < n; s++) {
    if (label[s] !== -1) continue
    const stack = [s]
    label[s] = next
    while (stack.length > 0) {
      const v = stack.pop() as number
      for (const w of adj[v] as number[]) {
        if (label[w] === -1) {
          label[w] = next
          stack.push(w)
        }
      }
    }
    next++
  }
  return label
}
