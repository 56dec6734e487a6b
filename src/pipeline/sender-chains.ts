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
 * Its balance still differs from sequential order (the other group's gas payments): the
 * committer rebases that balance when the run used it only to pay (`TxResult.senderPre`), else
 * re-executes the transaction; its group's later results stand when what it wrote is unchanged
 * (the pool state does not depend on the trader's gas money). The planner counts every such
 * transaction as a repair (serial work, an upper bound) and cuts chains only when that still pays.
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
  /** Senders whose links were cut (those with more than one transaction), empty when not cut. */
  cutSenders: ReadonlySet<string>
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

/** Expected repairs of a grouping: touching a cut key after one of its writers ran in another group. */
function repairsOf(access: readonly AccessSet[], gas: readonly number[], part: Partition, cutKeys: ReadonlySet<string>): { positions: Set<number>; gas: number } {
  const writerGroups = new Map<string, Set<number>>()
  const positions = new Set<number>()
  let total = 0
  for (let p = 0; p < access.length; p++) {
    const g = part.groupOf[p]!
    const a = access[p]!
    for (const k of [...a.reads, ...a.writes]) {
      if (!cutKeys.has(k) || positions.has(p)) continue
      const ws = writerGroups.get(k)
      if (ws !== undefined && (ws.size > 1 || !ws.has(g))) {
        positions.add(p)
        total += gas[p]!
      }
    }
    for (const k of a.writes) {
      if (!cutKeys.has(k)) continue
      let ws = writerGroups.get(k)
      if (ws === undefined) writerGroups.set(k, (ws = new Set()))
      ws.add(g)
    }
  }
  return { positions, gas: total }
}

/**
 * Components packed largest first, each into the group where it costs least: the load it makes
 * there, plus (as repair work) the gas of its transactions whose senders already have
 * transactions in other groups. Keeps a repeating trader's pools together where balance allows.
 */
function packByAffinity(part: Partition, gas: readonly number[], senders: readonly string[], repeats: ReadonlySet<string>, k: number): Partition {
  const c = part.componentCount
  const compGas = new Float64Array(c)
  const members: number[][] = Array.from({ length: c }, () => [])
  for (let p = 0; p < gas.length; p++) {
    const id = part.componentOf[p]!
    compGas[id]! += gas[p]!
    members[id]!.push(p)
  }
  const order = Array.from({ length: c }, (_, i) => i).sort((x, y) => compGas[y]! - compGas[x]! || x - y)
  const load = new Float64Array(k)
  const compGroup = new Int32Array(c).fill(-1)
  // Per repeating sender: transaction count placed in each group.
  const placed = new Map<string, Float64Array>()
  for (const id of order) {
    let best = 0
    let bestCost = Infinity
    for (let g = 0; g < k; g++) {
      let cross = 0
      for (const p of members[id]!) {
        const s = senders[p]!
        if (!repeats.has(s)) continue
        const at = placed.get(s)
        if (at === undefined) continue
        for (let h = 0; h < k; h++) if (h !== g && at[h]! > 0) cross += gas[p]!
      }
      let span = load[g]! + compGas[id]!
      for (let h = 0; h < k; h++) if (h !== g && load[h]! > span) span = load[h]!
      const cost = span + cross
      if (cost < bestCost || (cost === bestCost && load[g]! < load[best]!)) {
        bestCost = cost
        best = g
      }
    }
    compGroup[id] = best
    load[best]! += compGas[id]!
    for (const p of members[id]!) {
      const s = senders[p]!
      if (!repeats.has(s)) continue
      let at = placed.get(s)
      if (at === undefined) placed.set(s, (at = new Float64Array(k)))
      at[best]!++
    }
  }
  const groupOf = new Uint32Array(gas.length)
  const lists: number[][] = Array.from({ length: k }, () => [])
  const comps = new Uint32Array(k)
  for (let id = 0; id < c; id++) comps[compGroup[id]!]!++
  for (let p = 0; p < gas.length; p++) {
    const g = compGroup[part.componentOf[p]!]!
    groupOf[p] = g
    lists[g]!.push(p)
  }
  const groups = lists.map((txs, index) => ({ index, txs: Uint32Array.from(txs), gas: load[index]!, components: comps[index]! })).filter((g) => g.txs.length > 0)
  const makespan = Math.max(0, ...load)
  return { ...part, groups, groupOf, makespan, idealSpeedup: makespan > 0 ? part.totalGas / makespan : 1 }
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
  const keep: PartitionChoice = { part: plain, effective: plain.idealSpeedup, cut: false, cutSenders: new Set(), assumeNonce: new Set(), repairs: 0, dagMs: t.dagMs, partitionMs: t.partitionMs }
  if (mode === 'never' || (mode === 'auto' && plain.idealSpeedup >= opts.tryBelow)) return keep
  const count = new Map<string, number>()
  for (const s of senders) count.set(s, (count.get(s) ?? 0) + 1)
  const repeats = new Set([...count].filter(([, n]) => n > 1).map(([s]) => s))
  if (repeats.size === 0) return keep
  const relaxed = withoutSenderKeys(access, senders, repeats)
  const lpt = timedPartition(relaxed.access, gas as number[], groups, t)
  const tp = performance.now()
  const byAffinity = packByAffinity(lpt, gas, senders, repeats, groups)
  t.partitionMs += performance.now() - tp
  keep.dagMs = t.dagMs
  keep.partitionMs = t.partitionMs
  const a = repairsOf(access, gas, lpt, relaxed.cutKeys)
  const b = repairsOf(access, gas, byAffinity, relaxed.cutKeys)
  const [part, repaired, repairGas] = b.gas + byAffinity.makespan < a.gas + lpt.makespan ? [byAffinity, b.positions, b.gas] : [lpt, a.positions, a.gas]
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
  return { part, effective, cut: true, cutSenders: repeats, assumeNonce, repairs: repaired.size, dagMs: t.dagMs, partitionMs: t.partitionMs }
}
