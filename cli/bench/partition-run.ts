/**
 * One partitioning benchmark run: DAG build and partition of a batch of access sets, with the
 * union-find fast path and (optionally) the graphology reference measured in the same run.
 */
import { performance } from 'node:perf_hooks'
import { buildDag, dagMetrics, toGraphologyBare, type CompactAccesses } from '../../src/dag/index.js'
import { componentsGraphology, componentsUnionFind, packGroups, type Components } from '../../src/partition/index.js'

export type Strategy = 'union-find' | 'graphology' | 'both'

/** The figures of one run (the `--json` object; documented in the README). */
export interface PartitionRunFigures {
  workload: string
  exec: boolean
  seed: number
  skew: number
  accounts: number
  txs: number
  keys: number
  accesses: number
  edges: number
  edgesRaw: number
  edgesWaw: number
  edgesWar: number
  edgesCarry: number
  components: number
  largestComponentTxs: number
  largestComponentTxShare: number
  largestComponentGasShare: number
  dominated: boolean
  groups: number
  makespan: number
  totalGas: number
  idealSpeedup: number
  dagParallelism: number
  criticalPathGas: number
  generations: number
  dagBuildMs: number
  partitionMs: number
  txPerSec: number
  graphologyPartitionMs: number | null
  unionFindVsGraphology: number | null
  partitionsIdentical: boolean | null
  peakMemoryMb: number
  tracingMs?: number
  plainExecMs?: number
  tracingOverhead?: number
  runBlockMs?: number | null
  sequentialMs?: number
  parallelMs?: number
  speedupVsSequential?: number
  speedupVsRunBlock?: number | null
  rootsMatch?: boolean
  parallelRounds?: number
  repaired?: number
  rebased?: number
  reusedSpeculative?: number
  parallelMode?: string
  phases?: Record<string, number>
  workerCeiling?: number
  workers?: number
  cpu?: { sequentialMs: number; sequentialMainMs: number | null; parallelMs: number; parallelMainMs: number | null }
}

export interface PartitionRunInput {
  workload: string
  exec: boolean
  seed: number
  skew: number
  accounts: number
  groups: number
  strategy: Strategy
  accesses: CompactAccesses
}

function sameComponents(a: Components, b: Components): boolean {
  if (a.count !== b.count || a.componentOf.length !== b.componentOf.length) return false
  for (let i = 0; i < a.componentOf.length; i++) if (a.componentOf[i] !== b.componentOf[i]) return false
  return true
}

/** Builds the DAG, partitions it with the chosen strategies and returns the figures. */
export function runPartition(input: PartitionRunInput): PartitionRunFigures {
  const { accesses, groups } = input
  const t0 = performance.now()
  const dag = buildDag(accesses)
  const t1 = performance.now()
  let uf: Components | null = null
  let ufMs = 0
  if (input.strategy !== 'graphology') {
    const s = performance.now()
    uf = componentsUnionFind(dag)
    ufMs = performance.now() - s
  }
  let gr: Components | null = null
  let grMs: number | null = null
  if (input.strategy !== 'union-find') {
    const s = performance.now()
    gr = componentsGraphology(toGraphologyBare(dag))
    grMs = performance.now() - s
  }
  const comps = (uf ?? gr)!
  const s = performance.now()
  const packed = packGroups(comps, dag.gas, groups)
  const packMs = performance.now() - s
  const partitionMs = (uf !== null ? ufMs : grMs ?? 0) + packMs
  const metrics = dagMetrics(dag)
  const dagBuildMs = t1 - t0
  return {
    workload: input.workload,
    exec: input.exec,
    seed: input.seed,
    skew: input.skew,
    accounts: input.accounts,
    txs: accesses.txCount,
    keys: accesses.keyCount,
    accesses: accesses.offsets[accesses.txCount] ?? 0,
    edges: dag.edgeCount,
    edgesRaw: metrics.edgesByKind.raw,
    edgesWaw: metrics.edgesByKind.waw,
    edgesWar: metrics.edgesByKind.war,
    edgesCarry: metrics.edgesByKind.carry,
    components: comps.count,
    largestComponentTxs: packed.largestComponent?.txs ?? 0,
    largestComponentTxShare: packed.largestComponent?.txShare ?? 0,
    largestComponentGasShare: packed.largestComponent?.gasShare ?? 0,
    dominated: packed.dominated,
    groups,
    makespan: packed.makespan,
    totalGas: packed.totalGas,
    idealSpeedup: packed.idealSpeedup,
    dagParallelism: metrics.parallelism,
    criticalPathGas: metrics.criticalPathGas,
    generations: metrics.generations,
    dagBuildMs,
    partitionMs,
    txPerSec: accesses.txCount / ((dagBuildMs + partitionMs) / 1000),
    graphologyPartitionMs: grMs === null ? null : grMs + packMs,
    unionFindVsGraphology: grMs !== null && uf !== null ? (grMs + packMs) / (ufMs + packMs) : null,
    partitionsIdentical: uf !== null && gr !== null ? sameComponents(uf, gr) : null,
    peakMemoryMb: process.resourceUsage().maxRSS / 1024,
  }
}
