/**
 * DAG metrics in one forward pass: edges point from lower to higher transaction index, so
 * transaction order is a topological order and longest paths need no sort.
 */
import { EDGE_KIND } from './constants.js'
import type { ConflictDag } from './types.js'

export interface EdgeKindCounts {
  raw: number
  waw: number
  war: number
  carry: number
}

export interface DagMetrics {
  vertices: number
  edges: number
  /** edges carrying each kind bit (an edge with several bits counts in each) */
  edgesByKind: EdgeKindCounts
  totalGas: number
  /** gas of the heaviest path (sum of its vertices' gas) */
  criticalPathGas: number
  /** the heaviest path, as ascending transaction indices (ties: smallest predecessor index) */
  criticalPath: Uint32Array
  /** totalGas / criticalPathGas; 1 when there is no gas at all */
  parallelism: number
  /** number of topological generations (longest path in vertices); 0 for an empty DAG */
  generations: number
  /** vertices per generation; generation g holds the txs whose longest incoming path has g edges */
  generationWidths: Uint32Array
  maxGenerationWidth: number
}

/** Computes vertices, edges by kind, gas-weighted critical path, parallelism and generations. */
export function dagMetrics(dag: ConflictDag): DagMetrics {
  const n = dag.txCount
  const gas = dag.gas
  const inOffsets = dag.inOffsets
  const from = dag.edgeFrom
  const kinds = dag.edgeKinds

  const counts: EdgeKindCounts = { raw: 0, waw: 0, war: 0, carry: 0 }
  let raw = 0
  let waw = 0
  let war = 0
  let carry = 0
  for (let e = 0; e < dag.edgeCount; e++) {
    const k = kinds[e] as number
    if ((k & EDGE_KIND.raw) !== 0) raw++
    if ((k & EDGE_KIND.waw) !== 0) waw++
    if ((k & EDGE_KIND.war) !== 0) war++
    if ((k & EDGE_KIND.carry) !== 0) carry++
  }
  counts.raw = raw
  counts.waw = waw
  counts.war = war
  counts.carry = carry

  const dist = new Float64Array(n) // heaviest path ending at j, including j
  const pred = new Int32Array(n).fill(-1)
  const level = new Uint32Array(n)
  let totalGas = 0
  let best = -1
  let bestGas = -1
  let levels = 0
  for (let j = 0; j < n; j++) {
    let d = 0
    let p = -1
    let lv = 0
    const end = inOffsets[j + 1] as number
    for (let x = inOffsets[j] as number; x < end; x++) {
      const i = from[x] as number
      const di = dist[i] as number
      if (p < 0 || di > d || (di === d && i < p)) {
        d = di
        p = i
      }
      const li = (level[i] as number) + 1
      if (li > lv) lv = li
    }
    const g = gas[j] as number
    totalGas += g
    dist[j] = d + g
    pred[j] = p
    level[j] = lv
    if (lv + 1 > levels) levels = lv + 1
    if ((dist[j] as number) > bestGas) {
      bestGas = dist[j] as number
      best = j
    }
  }
  const widths = new Uint32Array(levels)
  let maxWidth = 0
  for (let j = 0; j < n; j++) {
    const l = level[j] as number
    const w = (widths[l] as number) + 1
    widths[l] = w
    if (w > maxWidth) maxWidth = w
  }
  const path: number[] = []
  for (let v = best; v >= 0; v = pred[v] as number) path.push(v)
  path.reverse()
  const criticalPathGas = n === 0 ? 0 : bestGas
  return {
    vertices: n,
    edges: dag.edgeCount,
    edgesByKind: counts,
    totalGas,
    criticalPathGas,
    criticalPath: Uint32Array.from(path),
    parallelism: criticalPathGas > 0 ? totalGas / criticalPathGas : 1,
    generations: levels,
    generationWidths: widths,
    maxGenerationWidth: maxWidth,
  }
}
