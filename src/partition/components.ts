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
 * Components by union-find over typed arrays (union by size, path halving); near-linear.
 * Given a ConflictDag (edges grouped by ascending target) it uses a faster pass that finds only
 * the sources: a target is still a singleton when its in-edges come up.
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
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const size = new Uint32Array(n).fill(1)
  const from = input.edgeFrom
  const to = input.edgeTo
  for (let e = 0; e < m; e++) {
    let a = from[e] as number
    let b = to[e] as number
    if (a >= n || b >= n) {
      throw new PartitionError('PARTITION_INVALID_INPUT', 'edge endpoint out of range', { details: { edge: e, from: a, to: b, txCount: n } })
    }
    // find with path halving
    let pa = parent[a] as number
    while (pa !== a) {
      const g = parent[pa] as number
      parent[a] = g
      a = g
      pa = parent[a] as number
    }
    let pb = parent[b] as number
    while (pb !== b) {
      const g = parent[pb] as number
      parent[b] = g
      b = g
      pb = parent[b] as number
    }
    if (a === b) continue
    const sa = size[a] as number
    const sb = size[b] as number
    if (sa < sb) {
      parent[a] = b
      size[b] = sa + sb
    } else {
      parent[b] = a
      size[a] = sa + sb
    }
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
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const size = new Uint32Array(n).fill(1)
  let prevEnd = 0
  for (let j = 0; j < n; j++) {
    const s = inOffsets[j] as number
    const t = inOffsets[j + 1] as number
    if (s !== prevEnd || t < s) {
      throw new PartitionError('PARTITION_INVALID_INPUT', 'inOffsets not non-decreasing', { details: { tx: j } })
    }
    prevEnd = t
    if (s === t) continue
    // j is a singleton here (no earlier edge touches it): hang it under the first source's root
    let r = -1
    for (let x = s; x < t; x++) {
      let a = from[x] as number
      if (a >= j) {
        throw new PartitionError('PARTITION_INVALID_INPUT', 'edge source not below its target', { details: { edge: x, from: a, to: j } })
      }
      let pa = parent[a] as number
      while (pa !== a) {
        const g = parent[pa] as number
        parent[a] = g
        a = g
        pa = parent[a] as number
      }
      if (r < 0) {
        r = a
        parent[j] = r
        size[r] = (size[r] as number) + 1
      } else if (a !== r) {
        const sa = size[a] as number
        const sr = size[r] as number
        if (sa > sr) {
          parent[r] = a
          size[a] = sa + sr
          r = a
        } else {
          parent[a] = r
          size[r] = sa + sr
        }
      }
    }
  }
  return canonicalLabels(parent)
}

/** Canonical ids: scanning txs in order, a root's first member is its smallest tx. */
function canonicalLabels(parent: Int32Array): Components {
  const n = parent.length
  const label = new Int32Array(n).fill(-1)
  const componentOf = new Uint32Array(n)
  let count = 0
  for (let i = 0; i < n; i++) {
    let r = i
    let pr = parent[r] as number
    while (pr !== r) {
      const g = parent[pr] as number
      parent[r] = g
      r = g
      pr = parent[r] as number
    }
    let id = label[r] as number
    if (id < 0) {
      id = count++
      label[r] = id
    }
    componentOf[i] = id
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
