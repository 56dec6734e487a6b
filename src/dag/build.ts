/**
 * Building the conflict DAG in one pass over the accesses, in time and space linear in their
 * number.
 *
 * Conflict rules for transactions i < j on one key (per-transaction accesses of a key are merged
 * first, so a transaction is a reader, a writer, a creditor, or a reader+creditor of it):
 *   - i writes, j reads or writes            -> conflict (raw / waw)
 *   - i credits, j reads or writes           -> conflict (raw, or waw for a blind write)
 *   - i reads, j writes                      -> conflict (war)
 *   - credits conflict with nothing else: a credit after a write or a read, and two credits,
 *     commute (the committer sums credits in canonical order on top of the last write).
 *
 * Edges kept (per key, scanning transactions in order), enough for the transitive closure to
 * order every conflicting pair and for each conflicting pair to share a component:
 *   - every read or write depends on the last earlier write            (raw / waw)
 *   - a write depends on every read since the last write               (war)
 *   - a read or write depends on the credits not yet seen by a reader   (raw / waw)
 *   - a reader depends on the previous reader that saw credits since the last write (carry),
 *     which passes on the credits that reader consumed.
 * Each access adds at most one edge itself (from the last writer) and leaves at most two
 * pending list nodes (reader + carry, or a credit), each consumed once for at most one edge, so
 * edges <= 3 x accesses whatever the key distribution: a key shared by 100k transactions gives
 * O(100k) edges, never O(100k^2).
 * Duplicate (i, j) pairs from several keys are merged into one edge with the union of kinds.
 *
 * Why war edges are kept: a scheduler that runs the DAG on shared state (topological order,
 * Block-STM style, or replaying with a DAG hint) must not let a later writer run before an
 * earlier reader. For the group model (each group executes from the parent state and the
 * committer merges in canonical order) a war pair alone is harmless, so a partitioner could
 * drop war-only edges for more parallelism; the default keeps them, which is always safe.
 */
import { EDGE_KIND } from './constants.js'
import { DagError } from './errors.js'
import { EdgeBuffer } from './edge-buffer.js'
import type { CompactAccesses, ConflictDag, ForwardIndex } from './types.js'

// per-transaction merged flags of one key
const F_READ = 1
const F_WRITE = 2
const F_CREDIT = 4
// ACCESS_KIND -> flags
const KIND_FLAGS = Uint8Array.of(F_READ, F_WRITE, F_CREDIT, F_READ | F_WRITE)

const RAW = EDGE_KIND.raw
const WAW = EDGE_KIND.waw
const WAR = EDGE_KIND.war
const CARRY = EDGE_KIND.carry
// marks a carry node in the credit list (tx indices stay below 2^28)
const CARRY_NODE = 1 << 30

/** Builds the conflict DAG of a batch from its compact accesses (linear time). */
export function buildDag(input: CompactAccesses): ConflictDag {
  validateShape(input)
  const n = input.txCount
  const K = input.keyCount
  const offsets = input.offsets
  const keys = input.keys
  const kinds = input.kinds
  const accessCount = n === 0 ? 0 : (offsets[n] as number)

  // Per-key state, interleaved (stride 4 Int32) so one key's state sits in one cache line, and
  // stored +1 so that zero-filled fresh memory means "none" (no fill pass over large arrays):
  //   +0 ((tx + 1) << 3) | merged access flags of that tx (flags zeroed once applied)
  //   +1 last writer + 1
  //   +2 readers since the last write: pool list handle (0 = empty)
  //   +3 credits not yet seen by a reader: pool list handle (0 = empty). After a reader consumed credits the
  //      list holds a "carry" node (tx | CARRY_NODE) for that reader, so later readers order after
  //      it instead of after every creditor.
  const ks = new Int32Array(K * 4)
  // Pool of list nodes, two Int32 each [tx, next handle]; a handle h > 0 names the node at
  // pool[h - 2]. A read pushes at most a reader and a carry node, a credit one credit node.
  const pool = new Int32Array(2 * poolBound(input) + 2)
  let poolTop = 0

  const edges = new EdgeBuffer(n, accessCount)
  const inOffsets = new Uint32Array(n + 1)

  for (let j = 0; j < n; j++) {
    const j1 = j + 1
    const stamp = j1 << 3
    edges.begin()
    const s = offsets[j] as number
    const t = offsets[j + 1] as number
    // pass 1: merge this transaction's entries per key
    for (let p = s; p < t; p++) {
      const k = keys[p] as number
      const kind = kinds[p] as number
      if (k >= K || kind > 3) throw badEntry(j, p, k, kind, K)
      const b = k << 2
      const w = ks[b] as number
      const f = KIND_FLAGS[kind] as number
      ks[b] = (w & ~7) === stamp ? w | f : stamp | f
    }
    // pass 2: apply each key once
    for (let p = s; p < t; p++) {
      const k = keys[p] as number
      const b = k << 2
      const f = (ks[b] as number) & 7
      if (f === 0) continue
      ks[b] = stamp
      const fromWrite = (f & F_WRITE) === 0 ? RAW : (f & F_READ) !== 0 ? RAW | WAW : WAW
      const lw1 = ks[b + 1] as number
      if (lw1 !== 0 && (f & (F_READ | F_WRITE)) !== 0) edges.add(lw1 - 1, j, fromWrite, k)
      if ((f & F_WRITE) !== 0) {
        for (let q = ks[b + 2] as number; q !== 0; q = pool[q - 1] as number) edges.add(pool[q - 2] as number, j, WAR, k)
        for (let q = ks[b + 3] as number; q !== 0; q = pool[q - 1] as number) {
          const x = pool[q - 2] as number
          // a carry node's reader is in the reader list already (war edge above)
          if ((x & CARRY_NODE) === 0) edges.add(x, j, fromWrite, k)
        }
        ks[b + 1] = j1
        ks[b + 2] = 0
        ks[b + 3] = 0
      } else if ((f & F_READ) !== 0) {
        let cq = ks[b + 3] as number
        if (cq !== 0) {
          for (; cq !== 0; cq = pool[cq - 1] as number) {
            const x = pool[cq - 2] as number
            if ((x & CARRY_NODE) === 0) edges.add(x, j, RAW, k)
            else edges.add(x & ~CARRY_NODE, j, CARRY, k)
          }
          // this reader has seen every credit so far: later readers order after it
          pool[poolTop] = j | CARRY_NODE
          pool[poolTop + 1] = 0
          poolTop += 2
          ks[b + 3] = poolTop
        }
        pool[poolTop] = j
        pool[poolTop + 1] = ks[b + 2] as number
        poolTop += 2
        ks[b + 2] = poolTop
        if ((f & F_CREDIT) !== 0) {
          // the read saw the earlier credits; this tx's own credit is pending for later readers
          pool[poolTop] = j
          pool[poolTop + 1] = ks[b + 3] as number
          poolTop += 2
          ks[b + 3] = poolTop
        }
      } else {
        pool[poolTop] = j
        pool[poolTop + 1] = ks[b + 3] as number
        poolTop += 2
        ks[b + 3] = poolTop
      }
    }
    inOffsets[j1] = edges.count
  }

  const m = edges.count
  return {
    txCount: n,
    edgeCount: m,
    inOffsets,
    edgeFrom: edges.from.subarray(0, m),
    edgeTo: edges.to.subarray(0, m),
    edgeKinds: edges.kinds.subarray(0, m),
    edgeKey: edges.key.subarray(0, m),
    edgeMultiKey: edges.multi.subarray(0, m),
    gas: input.gas,
    accesses: input,
  }
}

function validateShape(input: CompactAccesses): void {
  const n = input.txCount
  const bad = (what: string, details: Record<string, unknown>): DagError =>
    new DagError('DAG_INVALID_INPUT', `invalid compact accesses: ${what}`, { details })
  if (!Number.isInteger(n) || n < 0) throw bad('txCount', { txCount: n })
  // per-key state is 4 Int32 per key; a tx index shifted left by 3 must fit an Int32
  if (!Number.isInteger(input.keyCount) || input.keyCount < 0 || input.keyCount > 2 ** 28) {
    throw bad('keyCount', { keyCount: input.keyCount })
  }
  if (n >= 2 ** 28 - 1) throw bad('txCount too large', { txCount: n })
  if (input.offsets.length !== n + 1) throw bad('offsets length', { expected: n + 1, got: input.offsets.length })
  if (input.gas.length !== n) throw bad('gas length', { expected: n, got: input.gas.length })
  if (input.offsets[0] !== 0) throw bad('offsets[0] must be 0', {})
  let prev = 0
  for (let j = 1; j <= n; j++) {
    const o = input.offsets[j] as number
    if (o < prev) throw bad('offsets not non-decreasing', { tx: j - 1 })
    prev = o
  }
  if (input.keys.length < prev || input.kinds.length < prev) {
    throw bad('keys/kinds shorter than offsets[txCount]', { accesses: prev, keys: input.keys.length, kinds: input.kinds.length })
  }
}

function badEntry(tx: number, p: number, key: number, kind: number, keyCount: number): DagError {
  return new DagError('DAG_INVALID_INPUT', `invalid access entry of transaction ${tx}`, {
    details: { tx, entry: p, key, kind, keyCount },
  })
}

/**
 * Upper bound on list nodes: a tx that reads a key without writing it pushes a reader and maybe
 * a carry node (it has a read entry), one that credits without writing pushes a credit node (it
 * has a credit entry); read+write entries push nothing.
 */
function poolBound(input: CompactAccesses): number {
  const kinds = input.kinds
  const end = input.offsets[input.txCount] as number
  let nodes = 0
  for (let p = 0; p < end; p++) {
    const kind = kinds[p] as number
    nodes += kind === 0 ? 2 : kind === 2 ? 1 : 0
  }
  return nodes
}

/** Builds the by-source index of a DAG's edges (counting sort, linear). */
export function forwardIndex(dag: ConflictDag): ForwardIndex {
  const n = dag.txCount
  const m = dag.edgeCount
  const outOffsets = new Uint32Array(n + 1)
  const from = dag.edgeFrom
  for (let e = 0; e < m; e++) {
    const x = (from[e] as number) + 1
    outOffsets[x] = (outOffsets[x] as number) + 1
  }
  for (let i = 0; i < n; i++) outOffsets[i + 1] = (outOffsets[i + 1] as number) + (outOffsets[i] as number)
  const fill = outOffsets.slice(0, n)
  const outEdges = new Uint32Array(m)
  // edges are stored by ascending target, so each source's list comes out ascending by target
  for (let e = 0; e < m; e++) {
    const i = from[e] as number
    outEdges[fill[i] as number] = e
    fill[i] = (fill[i] as number) + 1
  }
  return { outOffsets, outEdges }
}

/** Merged access flags (1 read, 2 write, 4 credit) of transaction `tx` on `key`, 0 if none. */
export function accessFlags(accesses: CompactAccesses, tx: number, key: number): number {
  let f = 0
  const end = accesses.offsets[tx + 1] as number
  for (let p = accesses.offsets[tx] as number; p < end; p++) {
    if (accesses.keys[p] === key) f |= KIND_FLAGS[accesses.kinds[p] as number] as number
  }
  return f
}

/** True when accesses with merged flags `a` (earlier tx) and `b` (later tx) conflict. */
export function flagsConflict(a: number, b: number): boolean {
  const aWrites = (a & F_WRITE) !== 0
  const aReads = (a & F_READ) !== 0
  const aCredits = (a & F_CREDIT) !== 0
  const bReadsOrWrites = (b & (F_READ | F_WRITE)) !== 0
  if ((aWrites || aCredits) && bReadsOrWrites) return true
  return aReads && (b & F_WRITE) !== 0
}

/**
 * All key ids that relate an edge's endpoints: the keys on which they conflict directly, plus
 * the recorded key (for a carry edge that is the only one). Sorted ascending.
 */
export function edgeKeys(dag: ConflictDag, e: number): number[] {
  if (!Number.isInteger(e) || e < 0 || e >= dag.edgeCount) {
    throw new DagError('DAG_INVALID_INPUT', 'edge index out of range', { details: { edge: e, edgeCount: dag.edgeCount } })
  }
  const primary = dag.edgeKey[e] as number
  if (dag.edgeMultiKey[e] === 0) return [primary]
  const a = dag.accesses
  const i = dag.edgeFrom[e] as number
  const j = dag.edgeTo[e] as number
  const out = new Set<number>([primary])
  const end = a.offsets[j + 1] as number
  for (let p = a.offsets[j] as number; p < end; p++) {
    const k = a.keys[p] as number
    if (out.has(k)) continue
    const fi = accessFlags(a, i, k)
    if (fi !== 0 && flagsConflict(fi, accessFlags(a, j, k))) out.add(k)
  }
  return [...out].sort((x, y) => x - y)
}
