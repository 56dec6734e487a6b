/**
 * Connected components of the conflict DAG (edges taken as undirected), in one canonical form:
 * `componentOf[tx]` is the component id, and components are numbered 0, 1, ... in the order of
 * their smallest transaction index. Both implementations return exactly this, so they compare
 * with a plain array equality.
 */
import { connectedComponents } from 'graphology-components'
import type { AbstractGraph as Graph } from 'graphology-types'
import { PartitionError } from './errors.js'

export interface Components {
  /** number of components */
  readonly count: number
  /** component id per transaction */
  readonly componentOf: Uint32Array
}

/** Plain edge lists, for callers without a ConflictDag. */
export interface EdgeList {
  readonly txCount: number
  readonly edgeFrom: ArrayLike<number>
  readonly edgeTo: ArrayLike<number>
  /** defaults to edgeFrom.length */
  readonly edgeCount?: number
}

/**
 * A DAG-shaped edge list: edges grouped by target in ascending order (`inOffsets`, as in
 * `ConflictDag`), every source below its target.
 */
export interface TargetGroupedEdges extends EdgeList {
  readonly inOffsets: ArrayLike<number>
}

/**
 * Components by union-find over typed arrays: path halving, and linking the larger root under the
 * smaller, so every root is its component's smallest transaction (which also makes the canonical
 * numbering a single pass). Given a ConflictDag (edges grouped by ascending target) it uses a
 * faster pass that finds only the sources: a target is still a singleton when its in-edges come up.
 */
export function componentsUnionFind(input: EdgeList | TargetGroupedEdges): Components {
  if ('inOffsets' in input && input.inOffsets.length === input.txCount + 1) return unionFindByTarget(input)
  const n = input.txCount
  const m = input.edgeCount ?? input.edgeFrom.length
  if (!Number.isInteger(n) || n < 0 || input.edgeFrom.length < m || input.edgeTo.length < m) {
    throw new PartitionError('PARTITION_INVALID_INPUT', 'edge list shorter than edgeCount', {
      details: { txCount: n, edgeCount: m, from: input.edgeFrom.length, to: input.edgeTo.length },
    })
  }
  const parent = identity(n)
  const from = input.edgeFrom
  const to = input.edgeTo
  for (let e = 0; e < m; e++) {
    const a = from[e] as number
    const b = to[e] as number
    if (!(a < n && b < n && a >= 0 && b >= 0)) {
      throw new PartitionError('PARTITION_INVALID_INPUT', 'edge endpoint out of range', { details: { edge: e, from: a, to: b, txCount: n } })
    }
    const ra = findHalving(parent, a)
    const rb = findHalving(parent, b)
    if (ra < rb) parent[rb] = ra
    else if (rb < ra) parent[ra] = rb
  }
  return canonicalLabels(parent)
}

function unionFindByTarget(input: TargetGroupedEdges): Components {
  const n = input.txCount
  const inOffsets = input.inOffsets
  const from = input.edgeFrom
  const m = inOffsets[n] as number
  if (inOffsets[0] !== 0 || from.length < m || (input.edgeCount !== undefined && input.edgeCount !== m)) {
    throw new PartitionError('PARTITION_INVALID_INPUT', 'inOffsets do not match the edge list', {
      details: { txCount: n, edges: m, edgeCount: input.edgeCount, from: from.length },
    })
  }
  const parent = identity(n)
  let prevEnd = 0
  for (let j = 0; j < n; j++) {
    const s = inOffsets[j] as number
    const t = inOffsets[j + 1] as number
    if (s !== prevEnd || t < s) {
      throw new PartitionError('PARTITION_INVALID_INPUT', 'inOffsets not non-decreasing', { details: { tx: j } })
    }
    prevEnd = t
    // j is a singleton root here (no earlier edge touches it); r is the root of j's tree
    let r = j
    for (let x = s; x < t; x++) {
      let a = from[x] as number
      if (!(a < j && a >= 0)) {
        throw new PartitionError('PARTITION_INVALID_INPUT', 'edge source not below its target', { details: { edge: x, from: a, to: j } })
      }
      let pa = parent[a] as number
      while (pa !== a) {
        const g = parent[pa] as number
        parent[a] = g
        a = g
        pa = parent[a] as number
      }
      if (a < r) {
        parent[r] = a
        r = a
      } else if (a > r) parent[a] = r
    }
  }
  return canonicalLabels(parent)
}

function identity(n: number): Int32Array {
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  return parent
}

function findHalving(parent: Int32Array, x: number): number {
  let p = parent[x] as number
  while (p !== x) {
    const g = parent[p] as number
    parent[x] = g
    x = g
    p = parent[x] as number
  }
  return x
}

/**
 * Canonical ids from a forest whose roots are component minima: scanning txs in order, a root
 * opens the next id and every other tx takes its root's (smaller, already numbered) id.
 */
function canonicalLabels(parent: Int32Array): Components {
  const n = parent.length
  const componentOf = new Uint32Array(n)
  let count = 0
  for (let i = 0; i < n; i++) {
    let r = parent[i] as number
    if (r === i) {
      componentOf[i] = count++
      continue
    }
    while (parent[r] !== r) r = parent[r] as number
    parent[i] = r
    componentOf[i] = componentOf[r] as number
  }
  return { count, componentOf }
}

/**
 * Components by graphology-components (the reference). Nodes must carry a numeric `index`
 * attribute 0..order-1 (as `toGraphology` gives) naming their transaction.
 */
export function componentsGraphology(graph: Graph): Components {
  const n = graph.order
  const comps = connectedComponents(graph)
  const mins: { min: number; txs: number[] }[] = []
  const seen = new Uint8Array(n)
  for (const nodes of comps) {
    const txs: number[] = []
    let min = Infinity
    for (const node of nodes) {
      const ix: unknown = graph.getNodeAttribute(node, 'index')
      if (typeof ix !== 'number' || !Number.isInteger(ix) || ix < 0 || ix >= n || seen[ix] === 1) {
        throw new PartitionError('PARTITION_INVALID_INPUT', 'graph nodes must have distinct integer `index` attributes 0..order-1', {
          details: { node, index: ix },
        })
      }
      seen[ix] = 1
      txs.push(ix)
      if (ix < min) min = ix
    }
    mins.push({ min, txs })
  }
  mins.sort((a, b) => a.min - b.min)
  const componentOf = new Uint32Array(n)
  mins.forEach((c, id) => {
    for (const tx of c.txs) componentOf[tx] = id
  })
  return { count: mins.length, componentOf }
}
