/**
 * Partitioning with sender chains cut. A sender's consecutive transactions always conflict on
 * its nonce and balance (every transaction bumps the nonce and pays gas), so one trader swapping
 * in two pools joins the pools into one component, and a few dozen such traders make a block of
 * independent pools a single component. The nonce link is predictable: in sequential order a
 * sender's transaction runs with the nonce it carries, as long as the sender's earlier
 * transactions were included. So when the plain partition shows too little parallelism, the
 * planner drops a repeating sender's own nonce and balance keys from the DAG, and marks each
 * transaction whose sender has an earlier transaction in another group: its group runs it with
 * its own nonce (`PackageTx.assumeNonce`) and the validator checks that assumption like any read.
 * Its balance still differs from sequential order (the other group's gas payments), so the
 * committer repairs it: one re-execution, and its group's later results stand when the repair
 * writes what the group run wrote (the pool state does not depend on the trader's gas money).
 * The planner counts those repairs as serial work and cuts chains only when that still pays.
 */
import { buildDag, compactFromAccessSets } from '../dag/index.js'
import { partition, type Partition } from '../partition/index.js'
import type { AccessSet } from '../state-verification/index.js'

/** 'auto': cut sender chains when it pays; 'always' / 'never' (tests, experiments). */
export type CutSenderChains = 'auto' | 'always' | 'never'

export interface PartitionChoice {
  part: Partition
  /** Speedup estimate: total gas / (makespan + gas of the expected repairs). */
  effective: number
  /** True when sender chains were cut. */
  cut: boolean
  /** Positions run with their own nonce (an earlier transaction of the sender is in another group). */
  assumeNonce: Set<number>
  /** Positions expected to be repaired. */
  repairs: number
  /** Time spent building DAGs and partitioning them (both attempts). */
  dagMs: number
  partitionMs: number
}

/** Builds the DAG of `access` and partitions it, timing both steps into `t`. */
function timedPartition(access: AccessSet[], gas: number[], groups: number, t: { dagMs: number; partitionMs: number }): Partition {
  const t0 = performance.now()
  const dag = buildDag(compactFromAccessSets(access, gas).accesses)
  const t1 = performance.now()
  const part = partition(dag, { groups })
  t.dagMs += t1 - t0
  t.partitionMs += performance.now() - t1
  return part
}

/** Access sets with each repeating sender's own nonce and balance keys removed (others: as is). */
function withoutSenderKeys(access: readonly AccessSet[], senders: readonly string[], repeats: ReadonlySet<string>): { access: AccessSet[]; cutKeys: Set<string> } {
  const cutKeys = new Set<string>()
  const out = access.map((a, p) => {
    const s = senders[p]!
    if (!repeats.has(s)) return a
    const n = `n:${s}`
    const b = `b:${s}`
    cutKeys.add(n)
    cutKeys.add(b)
    const reads = new Set(a.reads)
    const writes = new Set(a.writes)
    reads.delete(n)
    reads.delete(b)
    writes.delete(n)
    writes.delete(b)
    return { reads, writes, credits: a.credits }
  })
  return { access: out, cutKeys }
}

/**
 * The partition to execute: the plain one, or (when it is below `tryBelow` and cutting pays by
 * `margin`) the one with sender chains cut. Repairs are estimated per cut key: a transaction that
 * touches it after a writer in another group is expected to be repaired.
 */
export function choosePartition(
  access: readonly AccessSet[],
  gas: readonly number[],
  senders: readonly string[],
  groups: number,
  opts: { tryBelow: number; margin: number; mode?: CutSenderChains },
): PartitionChoice {
  const mode = opts.mode ?? 'auto'
  const t = { dagMs: 0, partitionMs: 0 }
  const plain = timedPartition(access as AccessSet[], gas as number[], groups, t)
  const keep: PartitionChoice = { part: plain, effective: plain.idealSpeedup, cut: false, assumeNonce: new Set(), repairs: 0, dagMs: t.dagMs, partitionMs: t.partitionMs }
  if (mode === 'never' || (mode === 'auto' && plain.idealSpeedup >= opts.tryBelow)) return keep
  const count = new Map<string, number>()
  for (const s of senders) count.set(s, (count.get(s) ?? 0) + 1)
  const repeats = new Set([...count].filter(([, n]) => n > 1).map(([s]) => s))
  if (repeats.size === 0) return keep
  const relaxed = withoutSenderKeys(access, senders, repeats)
  const part = timedPartition(relaxed.access, gas as number[], groups, t)
  keep.dagMs = t.dagMs
  keep.partitionMs = t.partitionMs
  // Expected repairs: touching a cut key after one of its writers ran in another group.
  const writerGroups = new Map<string, Set<number>>()
  const repaired = new Set<number>()
  for (let p = 0; p < access.length; p++) {
    const g = part.groupOf[p]!
    const a = access[p]!
    for (const k of [...a.reads, ...a.writes]) {
      if (!relaxed.cutKeys.has(k)) continue
      const ws = writerGroups.get(k)
      if (ws !== undefined && (ws.size > 1 || !ws.has(g))) repaired.add(p)
    }
    for (const k of a.writes) {
      if (!relaxed.cutKeys.has(k)) continue
      let ws = writerGroups.get(k)
      if (ws === undefined) writerGroups.set(k, (ws = new Set()))
      ws.add(g)
    }
  }
  let repairGas = 0
  for (const p of repaired) repairGas += gas[p]!
  const effective = part.makespan + repairGas > 0 ? part.totalGas / (part.makespan + repairGas) : 1
  if (mode === 'auto' && effective < plain.idealSpeedup * opts.margin) return keep
  // Own nonce assumed where an earlier transaction of the same sender ran in another group.
  const assumeNonce = new Set<number>()
  const groupsOf = new Map<string, Set<number>>()
  for (let p = 0; p < senders.length; p++) {
    const s = senders[p]!
    if (!repeats.has(s)) continue
    const g = part.groupOf[p]!
    const seen = groupsOf.get(s)
    if (seen !== undefined && (seen.size > 1 || !seen.has(g))) assumeNonce.add(p)
    if (seen === undefined) groupsOf.set(s, new Set([g]))
    else seen.add(g)
  }
  return { part, effective, cut: true, assumeNonce, repairs: repaired.size, dagMs: t.dagMs, partitionMs: t.partitionMs }
}
