/**
 * The parallel path of a block: prepare -> speculative prediction (every transaction traced
 * against the parent state, in parallel) -> conflict DAG -> partition -> group execution ->
 * validation by versions -> canonical merge -> receipts, roots, header. Transactions that no
 * other transaction conflicts with keep their speculative result (no second execution); the
 * first transaction whose view differs from sequential order ends the kept prefix and the rest
 * goes to another round, and after `maxRounds` to the sequential path. The result is the same
 * block as `executeSequential`, bit for bit.
 */
import { performance } from 'node:perf_hooks'
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { createVM } from '@ethereumjs/vm'
import type { BlockEnv, ReceiptInput } from '../batch-committer/block.js'
import { validateRecords, type Conflict, type GroupView, type ValidationRecord } from '../batch-committer/validate.js'
import { buildDag, compactFromAccessSets } from '../dag/index.js'
import { envToJson, type ChainSpec, type Executor, type GroupResult, type TxResult, type WorkPackage } from '../group-exec/index.js'
import { partition } from '../partition/index.js'
import { sliceState, snapshotToJson, stateManagerReader, toAddress, type StateSnapshotJson } from '../state/index.js'
import {
  TracingStateManager,
  accessSetFromJson,
  applyWriteSet,
  creditBalance,
  traceTransaction,
  writeSetFromJson,
  type AccessSet,
} from '../state-verification/index.js'
import { applyPreBlockSystemWrites, createEnvBlock } from './block-context.js'
import { DEFAULT_MAX_ROUNDS, SEQUENTIAL_BELOW_SPEEDUP, SEQUENTIAL_BELOW_TXS } from './constants.js'
import { prepareTransactions, type Exclusion, type PreparedTx } from './prepare.js'
import { finishBlock, type BlockOutcome } from './sequential.js'

/** An executor that can also run speculative (isolated) packages and hold parent replicas. */
export type PipelineExecutor = Executor & {
  executeIsolated?: (pkg: WorkPackage, options?: { parentId?: string; fallback?: import('../state/index.js').StateReader }) => Promise<GroupResult>
  setParent?: (parentId: string, snapshot: StateSnapshotJson) => Promise<void>
  readonly size?: number
}

export interface ParallelOptions {
  common: Common
  chain: ChainSpec
  env: BlockEnv
  /** Parent state; the block's writes are committed into it. */
  state: StateManagerInterface
  raws: readonly Uint8Array[]
  executor: PipelineExecutor
  /** Groups to partition into (default: the executor's size, at least 2). */
  groups?: number
  maxRounds?: number
  /** The parent state as a snapshot, sent once to worker replicas (fast speculative reads). */
  parentSnapshot?: StateSnapshotJson
  /** Fee recipients besides the coinbase. */
  feeRecipients?: string[]
  /** Disable the small-block / no-parallelism sequential fallback (tests). */
  forceParallel?: boolean
  /** Reuse speculative results of transactions nothing conflicts with (default true). */
  reuseSpeculative?: boolean
}

export interface PhaseTimes {
  prepareMs: number
  predictMs: number
  dagMs: number
  partitionMs: number
  executeMs: number
  commitMs: number
  totalMs: number
}

export interface TimelineEntry {
  round: number
  group: number
  executorId: string
  txs: number
  startedAt: number
  finishedAt: number
  kind: 'predict' | 'execute'
}

/** What the parallel path did, besides the block itself. */
export interface ParallelReport {
  outcome: BlockOutcome
  mode: 'parallel' | 'sequential'
  fallbackReason?: string
  phases: PhaseTimes
  rounds: number
  groups: number
  /** Transactions executed again after the speculative run. */
  reexecuted: number
  /** Transactions committed with their speculative result. */
  reusedSpeculative: number
  /** Transactions run by the sequential tail. */
  sequentialTail: number
  conflicts: Conflict[]
  timeline: TimelineEntry[]
  /** For each committed transaction (by block index), the earlier transactions it depends on. */
  dagHint: number[][]
  /** Actual access sets of the included transactions, in block order (for the BAL). */
  accessSets: AccessSet[]
  idealSpeedup: number
}

const now = (): number => performance.now()

/** Executes a block in parallel; the committed block equals `executeSequential`'s. */
export async function executeParallel(opts: ParallelOptions): Promise<ParallelReport> {
  const t0 = now()
  const { common, env, state, executor } = opts
  const phases: PhaseTimes = { prepareMs: 0, predictMs: 0, dagMs: 0, partitionMs: 0, executeMs: 0, commitMs: 0, totalMs: 0 }
  const groupsWanted = Math.max(2, opts.groups ?? executor.size ?? 2)
  const maxRounds = opts.maxRounds ?? DEFAULT_MAX_ROUNDS
  const reuse = opts.reuseSpeculative ?? true
  const block = createEnvBlock(env, common)
  const feeRecipients = [env.coinbase.toLowerCase(), ...(opts.feeRecipients ?? []).map((a) => a.toLowerCase())]

  const prepared = prepareTransactions(opts.raws, common)
  const txs = prepared.txs.filter((t): t is PreparedTx => t !== null)
  const excluded: Exclusion[] = [...prepared.excluded]
  phases.prepareMs = now() - t0

  await state.checkpoint()
  const systemWrote = await applyPreBlockSystemWrites(state, env, common)
  const reader = stateManagerReader(state)
  const m = txs.length
  const timeline: TimelineEntry[] = []
  const conflicts: Conflict[] = []
  const included: { index: number; tx: TypedTransaction; receipt: ReceiptInput }[] = []
  const committedAccess: (AccessSet | null)[] = []
  let gasUsed = 0n
  let rounds = 0
  let reexecuted = 0
  let reusedSpeculative = 0
  let groupsUsed = 0
  let idealSpeedup = 1
  let fallbackReason: string | undefined

  const pkgBase = (id: string, round: number, group: number, list: PreparedTx[], slice: StateSnapshotJson): WorkPackage => ({
    id,
    blockNumber: env.number.toString(),
    round,
    group,
    chain: opts.chain,
    env: envToJson(env),
    txs: list.map((p) => ({ index: p.index, raw: bytesToHex(p.raw), senderPubKey: bytesToHex(p.tx.getSenderPublicKey()) })),
    slice,
    feeRecipients,
  })

  // Commits result `r` of position p (its write set is applied in canonical order).
  const commitResult = async (p: number, r: TxResult): Promise<void> => {
    const ptx = txs[p]!
    if (r.status === 'included' && r.receipt !== undefined) {
      await applyWriteSet(state, writeSetFromJson(r.writes))
      const receipt: ReceiptInput = {
        txType: ptx.tx.type,
        status: r.receipt.status,
        gasUsed: BigInt(r.receipt.gasUsed),
        logs: r.receipt.logs.map(([a, t, d]) => [hexToBytes(a as `0x${string}`), t.map((x) => hexToBytes(x as `0x${string}`)), hexToBytes(d as `0x${string}`)]),
      }
      gasUsed += receipt.gasUsed
      included.push({ index: ptx.index, tx: ptx.tx, receipt })
      committedAccess.push(accessSetFromJson(r.access))
    } else {
      excluded.push({ index: ptx.index, code: r.exclusion?.code ?? 'INVALID_TX', reason: `transaction ${ptx.index}: ${r.exclusion?.reason ?? 'excluded'}` })
    }
  }

  let done = 0
  const smallBlock = m < SEQUENTIAL_BELOW_TXS
  if (smallBlock && opts.forceParallel !== true) fallbackReason = `${m} transactions (< ${SEQUENTIAL_BELOW_TXS})`

  if (fallbackReason === undefined && m > 0) {
    // ---- speculative prediction: every tx against the parent state, in parallel ----
    const tp = now()
    const useReplica = opts.parentSnapshot !== undefined && !systemWrote && executor.setParent !== undefined
    const parentId = `${env.number}:${bytesToHex(block.header.parentHash).slice(0, 18)}`
    if (useReplica) await executor.setParent!(parentId, opts.parentSnapshot!)
    const chunks = Math.max(1, Math.min(executor.size ?? groupsWanted, m))
    const per = Math.ceil(m / chunks)
    const predictions: TxResult[] = new Array(m)
    const byIndex = new Map<number, number>(txs.map((t, p) => [t.index, p]))
    await Promise.all(
      Array.from({ length: chunks }, async (_, c) => {
        const list = txs.slice(c * per, (c + 1) * per)
        if (list.length === 0) return
        const pkg = pkgBase(`${env.number}:predict:${c}`, 0, c, list, {})
        const o = useReplica ? { parentId } : { fallback: reader }
        const res = executor.executeIsolated !== undefined ? await executor.executeIsolated(pkg, o) : await executor.execute(pkg, { fallback: reader })
        timeline.push({ round: 0, group: c, executorId: res.executorId, txs: list.length, startedAt: res.startedAt, finishedAt: res.finishedAt, kind: 'predict' })
        for (const r of res.results) predictions[byIndex.get(r.index)!] = r
      }),
    )
    phases.predictMs = now() - tp

    let latest: TxResult[] = predictions
    let start = 0
    // records[p] for committed positions stay as they were validated
    const records: ValidationRecord[] = new Array(m)
    while (start < m) {
      rounds++
      // ---- DAG over what we know of each remaining tx ----
      const td = now()
      const rest = latest.slice(start)
      const access = rest.map((r) => accessSetFromJson(r.access))
      const gas = rest.map((r, k) => (r.receipt !== undefined ? Number(r.receipt.gasUsed) : Number(txs[start + k]!.tx.gasLimit)))
      const dag = buildDag(compactFromAccessSets(access, gas).accesses)
      phases.dagMs += now() - td
      const tpart = now()
      const part = partition(dag, { groups: groupsWanted })
      phases.partitionMs += now() - tpart
      if (rounds === 1) idealSpeedup = part.idealSpeedup
      if (rounds === 1 && opts.forceParallel !== true && part.idealSpeedup < SEQUENTIAL_BELOW_SPEEDUP) {
        fallbackReason = `no parallelism (ideal speedup ${part.idealSpeedup.toFixed(2)})`
        break
      }
      // Component sizes: in round 1 a tx alone in its component keeps its speculative result.
      const compSize = new Uint32Array(part.componentCount)
      for (let k = 0; k < rest.length; k++) compSize[part.componentOf[k]!]!++
      const keep = (k: number): boolean => rounds === 1 && reuse && compSize[part.componentOf[k]!] === 1
      // ---- group execution ----
      const te = now()
      const views = new Map<number, GroupView>()
      const groupResults = await Promise.all(
        part.groups.map(async (g) => {
          const list: PreparedTx[] = []
          const keys = new Set<string>()
          for (const k of g.txs) {
            if (keep(k)) continue
            list.push(txs[start + k]!)
            const a = access[k]!
            for (const key of a.reads) keys.add(key)
            for (const key of a.writes) keys.add(key)
          }
          if (list.length === 0) return null
          views.set(g.index, { base: start })
          const useLocalReplica = rounds === 1 && useReplica
          const slice = useLocalReplica ? {} : snapshotToJson(await sliceState(reader, keys))
          const pkg = pkgBase(`${env.number}:r${rounds}:g${g.index}`, rounds, g.index, list, slice)
          const res = useLocalReplica && executor.setParent !== undefined ? await (executor.execute as (p: WorkPackage, o: object) => Promise<GroupResult>)(pkg, { parentId }) : await executor.execute(pkg, { fallback: reader })
          timeline.push({ round: rounds, group: g.index, executorId: res.executorId, txs: list.length, startedAt: res.startedAt, finishedAt: res.finishedAt, kind: 'execute' })
          return { group: g.index, res }
        }),
      )
      phases.executeMs += now() - te
      groupsUsed = Math.max(groupsUsed, groupResults.filter((x) => x !== null).length)
      // ---- validation ----
      const tc = now()
      const current = latest.slice()
      for (let k = 0; k < rest.length; k++) {
        const p = start + k
        if (keep(k)) {
          records[p] = toRecord(p, -1 - p, current[p]!, true)
        }
      }
      for (const gr of groupResults) {
        if (gr === null) continue
        for (const r of gr.res.results) {
          const p = byIndex.get(r.index)!
          current[p] = r
          records[p] = toRecord(p, gr.group, r, false)
          reexecuted++
        }
      }
      const outcome = validateRecords(records, views, start)
      let end = outcome.validUpTo
      if (outcome.conflict !== null) conflicts.push(outcome.conflict)
      // Block gas: a tx whose gas limit is above what the block has left is decided sequentially.
      let gasCheck = gasUsed
      let gasStop = false
      for (let p = start; p < end; p++) {
        const r = current[p]!
        if (r.status === 'included' && txs[p]!.tx.gasLimit > env.gasLimit - gasCheck) {
          end = p
          gasStop = true
          break
        }
        if (r.receipt !== undefined) gasCheck += BigInt(r.receipt.gasUsed)
      }
      for (let p = start; p < end; p++) {
        if (keep(p - start)) reusedSpeculative++
        await commitResult(p, current[p]!)
      }
      phases.commitMs += now() - tc
      start = end
      latest = current
      if (gasStop || rounds >= maxRounds) break
    }
    done = start
  }

  // ---- sequential tail (fallback, or what the rounds left), traced for the BAL and DAG hint ----
  const tail = m - done
  if (tail > 0) {
    const ts = now()
    const tracer = new TracingStateManager(state, { feeRecipients })
    const vm = await createVM({ common, stateManager: tracer })
    for (let p = done; p < m; p++) {
      const ptx = txs[p]!
      const t = await traceTransaction(vm, ptx.tx, { block, blockGasUsed: gasUsed })
      if (!t.outcome.included) {
        excluded.push({ index: ptx.index, code: t.outcome.reason, reason: `transaction ${ptx.index}: ${t.outcome.message}` })
        continue
      }
      const receipt: ReceiptInput = { txType: ptx.tx.type, status: t.outcome.status, gasUsed: t.outcome.gasUsed, logs: t.outcome.logs }
      gasUsed += receipt.gasUsed
      included.push({ index: ptx.index, tx: ptx.tx, receipt })
      committedAccess.push(t.accessSet)
    }
    // Credits the tracer kept pending (recipients nobody read) go into the state now.
    for (const [addr, amount] of tracer.pendingCredits()) await creditBalance(state, toAddress(addr), amount)
    phases.executeMs += now() - ts
  }

  const tf = now()
  await state.commit()
  const outcome = await finishBlock({ common, env, state, included, excluded })
  phases.commitMs += now() - tf
  phases.totalMs = now() - t0
  const accessSets = committedAccess.filter((a): a is AccessSet => a !== null)
  const report: ParallelReport = {
    outcome,
    mode: fallbackReason === undefined ? 'parallel' : 'sequential',
    phases,
    rounds,
    groups: groupsUsed,
    reexecuted,
    reusedSpeculative,
    sequentialTail: tail,
    conflicts,
    timeline,
    dagHint: dagHintOf(accessSets),
    accessSets,
    idealSpeedup,
  }
  if (fallbackReason !== undefined) report.fallbackReason = fallbackReason
  return report
}

function toRecord(p: number, group: number, r: TxResult, fromParent: boolean): ValidationRecord {
  return { index: p, group, fromParent, reads: r.access.reads, writes: r.access.writes, credits: Object.keys(r.access.credits) }
}


/** For each transaction (in the order given), the earlier ones it depends on (DAG in-edges). */
export function dagHintOf(accessSets: readonly AccessSet[]): number[][] {
  if (accessSets.length === 0) return []
  const dag = buildDag(compactFromAccessSets(accessSets, accessSets.map(() => 1)).accesses)
  const out: number[][] = accessSets.map(() => [])
  for (let e = 0; e < dag.edgeCount; e++) out[dag.edgeTo[e]!]!.push(dag.edgeFrom[e]!)
  for (const l of out) l.sort((a, b) => a - b)
  return out
}
