/**
 * The parallel path of a block, in two halves that can run on different nodes:
 *
 * - `planBlock` (construction): prepare -> speculative prediction (every transaction traced
 *   against the parent state, in parallel) -> conflict DAG -> partition -> work packages.
 * - `commitBlock` (committer): validate each group result against sequential order by versions,
 *   keep the valid prefix, run repair rounds for the rest (then a sequential tail), merge write
 *   sets canonically, and build receipts, roots, header and hash.
 *
 * A transaction alone in its component keeps its speculative result (no second execution).
 * `executeParallel` runs both halves locally. The committed block equals `executeSequential`'s.
 */
import { performance } from 'node:perf_hooks'
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { hexToBytes } from '@ethereumjs/util'
import type { BlockEnv, BodyRoots, ReceiptInput, ReceiptsPiece } from '../batch-committer/block.js'
import { StreamingValidator, type Conflict, type ValidationRecord } from '../batch-committer/validate.js'
import { buildDag, compactFromAccessSets } from '../dag/index.js'
import { STATE_UNAVAILABLE, createInProcessExecutor, envToJson, rulesFor, type WorkerExecutor, type ChainSpec, type ExecuteOptions, type Executor, type GroupResult, type TxResult, type WorkPackage } from '../group-exec/index.js'
import { CachedMerkleStateManager, sliceState, snapshotToJson, stateManagerReader, toAddress, type StateReader, type StateSnapshotJson } from '../state/index.js'
import {
  EXCLUSION_REASON,
  TemplateStore,
  TracingStateManager,
  accessSetFromJson,
  certainAccess,
  accessSetToJson,
  predictTransferStatic,
  isPlainTransferShape,
  shapeOf,
  applyPendingCredits,
  applyWriteSet,
  creditBalance,
  traceTransaction,
  writeSetFromJson,
  type AccessSet,
  type AccessSetJson,
  type BalTxInput,
  type TxFields,
} from '../state-verification/index.js'
import { applyPreBlockSystemWrites, type createEnvBlock } from '../chain/index.js'
import { toHex } from '../common/index.js'
import { choosePartition, type CutSenderChains, type PartitionChoice } from './sender-chains.js'
import { BODY_ON_WORKERS_FROM, CUT_SENDER_CHAINS_BELOW, CUT_SENDER_CHAINS_MARGIN, DEFAULT_PART_SHARES, KEYED_EXAMPLES_ON_WORKERS_FROM, RECOVER_ON_WORKERS_FROM, SAMPLE_CHECK_FROM, SAMPLE_FRACTION, SAMPLE_MIN, SEQUENTIAL_BELOW_SPEEDUP, SEQUENTIAL_BELOW_TXS, TEMPLATE_EXAMPLES } from './constants.js'
import { prepareTransactions, readFields, type Exclusion, type PreparedTx } from './prepare.js'
import { finishBlock, runInOrder, withTxOf, type BlockOutcome } from './sequential.js'

type ReplicaOptions = ExecuteOptions & { parentId?: string }

/** An executor that can also run speculative (isolated) packages and hold parent replicas. */
export type PipelineExecutor = Executor & {
  executeIsolated?: (pkg: WorkPackage, options?: ReplicaOptions) => Promise<GroupResult>
  setParent?: (parentId: string, snapshot: StateSnapshotJson) => Promise<void>
  readonly size?: number
}

export interface PhaseTimes {
  prepareMs: number
  predictMs: number
  dagMs: number
  partitionMs: number
  executeMs: number
  commitMs: number
  /** Part of commitMs: flushing the state into the tries, the state root, receipts, roots and header. */
  sealMs: number
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

export interface PlanOptions {
  common: Common
  chain: ChainSpec
  env: BlockEnv
  /** Parent state (left unchanged by planning). */
  state: StateManagerInterface
  raws: readonly Uint8Array[]
  /** Executor for the speculative runs (construction's own, local). */
  executor: PipelineExecutor
  /** Groups to partition into (default: the executor's size, at least 2). */
  groups?: number
  /** Parent state as a snapshot, sent once to worker replicas (fast speculative reads). */
  parentSnapshot?: StateSnapshotJson
  /** 'full': packages carry their state slice (self-contained, for remote executors); 'replica': local workers read their parent replica. */
  sliceMode?: 'full' | 'replica'
  feeRecipients?: string[]
  /** Disable the small-block / no-parallelism sequential fallback. */
  forceParallel?: boolean
  /** Reuse speculative results of transactions nothing conflicts with (default true). */
  reuseSpeculative?: boolean
  /** The pre-block system writes are already in `state` (do not apply them again). */
  systemWritesApplied?: boolean
  /** With `systemWritesApplied`: whether they changed anything (default true). When false, worker replicas of the parent snapshot are exact. */
  systemWritesChanged?: boolean
  /** Plan a sequential (traced) execution: the reference with access sets, BAL and DAG hint. */
  sequential?: boolean
  /** Learned access templates, kept across blocks by the caller (default: a fresh store per block); false: trace every call. */
  templates?: TemplateStore | false
  /** Cut repeating senders' nonce/balance links when partitioning (sender-chains.ts): 'auto' (default) when it pays. */
  cutSenderChains?: CutSenderChains
  /** Predict plain transfers to code-less accounts statically (default true). */
  staticTransfers?: boolean
  /**
   * Trace a block that falls back to sequential execution, for its access sets, BAL and DAG hint
   * (default: only when `sequential` is requested; an automatic fallback runs untraced, at the
   * speed of the plain sequential path).
   */
  traceFallback?: boolean
}

/** The construction half's output: everything the committer needs besides group results. */
export interface BlockPlan {
  chain: ChainSpec
  env: BlockEnv
  feeRecipients: string[]
  txs: PreparedTx[]
  /** Transactions that could not even be decoded or recovered. */
  excluded: Exclusion[]
  /** Speculative result per position in `txs` (empty when the plan falls back to sequential). */
  predictions: TxResult[]
  /** Positions committed with their speculative result when valid. */
  keep: boolean[]
  packages: WorkPackage[]
  /** Packages read misses from this worker replica id ('replica' mode). */
  parentId?: string
  idealSpeedup: number
  groups: number
  fallbackReason?: string
  phases: PhaseTimes
  timeline: TimelineEntry[]
  /** Whether a sequential fallback runs traced (access sets, BAL, DAG hint) or plain. */
  traceFallback?: boolean
  /** How the access sets were predicted: traced speculative runs, or cheap (static rules, templates). */
  predictedBy?: { traced: number; cheap: number }
}

const now = (): number => performance.now()
const emptyPhases = (): PhaseTimes => ({ prepareMs: 0, predictMs: 0, dagMs: 0, partitionMs: 0, executeMs: 0, commitMs: 0, sealMs: 0, totalMs: 0 })

/** A work package of `list` (in canonical order) for one group of a round, with its state slice. */
export function toPackage(id: string, round: number, group: number, plan: Pick<BlockPlan, 'chain' | 'env' | 'feeRecipients'>, list: PreparedTx[], slice: StateSnapshotJson, assumeNonce?: ReadonlySet<number>): WorkPackage {
  return {
    id,
    blockNumber: plan.env.number.toString(),
    round,
    group,
    chain: plan.chain,
    env: envToJson(plan.env),
    // Node's hex encoder gives flat strings: cheaper to build, and to clone into a worker (a
    // string built piecewise is flattened there first).
    txs: list.map((p) => ({ index: p.index, raw: toHex(p.raw), senderPubKey: toHex(p.senderPubKey ?? p.tx.getSenderPublicKey()), ...(assumeNonce?.has(p.index) === true ? { assumeNonce: true as const } : {}) })),
    slice,
    feeRecipients: plan.feeRecipients,
  }
}

/** Cuts the state slice a list of access sets names. */
async function sliceFor(reader: StateReader, access: Iterable<AccessSet>): Promise<StateSnapshotJson> {
  const keys = new Set<string>()
  for (const a of access) {
    for (const k of a.reads) keys.add(k)
    for (const k of a.writes) keys.add(k)
  }
  return snapshotToJson(await sliceState(reader, keys, { skipUnavailable: true }))
}

/** Construction: predicts, builds the DAG, partitions and cuts the round-1 work packages. */
export async function planBlock(opts: PlanOptions): Promise<BlockPlan> {
  const t0 = now()
  const { common, env, state, executor } = opts
  const phases = emptyPhases()
  const timeline: TimelineEntry[] = []
  const groupsWanted = Math.max(2, opts.groups ?? executor.size ?? 2)
  const feeRecipients = [env.coinbase.toLowerCase(), ...(opts.feeRecipients ?? []).map((a) => a.toLowerCase())]
  // Sender recovery (most of this phase) runs on the workers when the executor offers it.
  const recover = (executor as { recoverSenders?: WorkerExecutor['recoverSenders'] }).recoverSenders
  const recovering = recover !== undefined && opts.raws.length >= RECOVER_ON_WORKERS_FROM ? recover.call(executor, opts.chain, envToJson(env), opts.raws) : undefined
  // With signers recovered there, this thread reads only the fields it needs of each transaction
  // (the workers decoded them fully), while they recover; ethereumjs decodes one here when
  // something runs it.
  const fields = recovering !== undefined ? readFields(opts.raws, common) : undefined
  const prepared = prepareTransactions(opts.raws, common, await recovering, fields)
  const txs = prepared.txs.filter((t): t is PreparedTx => t !== null)
  phases.prepareMs = now() - t0
  const plan: BlockPlan = {
    chain: opts.chain,
    env,
    feeRecipients,
    txs,
    excluded: prepared.excluded,
    predictions: [],
    keep: txs.map(() => false),
    packages: [],
    idealSpeedup: 1,
    groups: 0,
    phases,
    timeline,
    predictedBy: { traced: 0, cheap: 0 },
    traceFallback: opts.sequential === true || opts.traceFallback === true,
  }
  const stats = { cheap: 0 }
  if (opts.sequential === true) {
    plan.fallbackReason = 'sequential execution requested'
    return plan
  }
  if (txs.length < SEQUENTIAL_BELOW_TXS && opts.forceParallel !== true) {
    plan.fallbackReason = `${txs.length} transactions (< ${SEQUENTIAL_BELOW_TXS})`
    return plan
  }
  // One sender: every transaction depends on the previous one through the nonce.
  if (opts.forceParallel !== true && txs.length > 1 && txs.every((t) => t.sender.equals(txs[0]!.sender))) {
    plan.fallbackReason = 'every transaction has the same sender'
    return plan
  }
  if (txs.length === 0) return plan

  // Planning writes nothing to `state` except, when asked, the system writes, which it undoes.
  // Without them no checkpoint: cold reads made here stay cached for the committer.
  const ownCheckpoint = opts.systemWritesApplied !== true
  if (ownCheckpoint) await state.checkpoint()
  try {
    const systemWrote = !ownCheckpoint ? (opts.systemWritesChanged ?? true) : await applyPreBlockSystemWrites(state, env, common)
    const reader = stateManagerReader(state)
    // ---- speculative prediction: every tx against the parent state, in parallel ----
    const tp = now()
    const replica = opts.sliceMode !== 'full' && opts.parentSnapshot !== undefined && !systemWrote && executor.setParent !== undefined
    const parentId = `${env.number}:${env.parentHash.slice(0, 18)}`
    // The replica goes out once the block looks worth it (cloning it costs this thread time) and is
    // awaited where first needed, so the workers load it while this thread goes on predicting.
    let replicaReady: Promise<void> | undefined
    const sendReplica = (): void => {
      if (!replica || replicaReady !== undefined) return
      replicaReady = executor.setParent!(parentId, opts.parentSnapshot!)
      replicaReady.catch(() => undefined)
    }
    const ensureReplica = async (): Promise<void> => {
      if (!replica) return
      sendReplica()
      await replicaReady
      plan.parentId = parentId
    }
    const byIndex = new Map<number, number>(txs.map((t, p) => [t.index, p]))
    const predictions: TxResult[] = new Array(txs.length)
    const traced = new Array<boolean>(txs.length).fill(false)
    // Traces positions against the parent state, in parallel chunks.
    let batch = 0
    // `onWorkers` false: traced in this thread (a few template examples: no worker round trip,
    // and the workers may still be loading the replica).
    const trace = async (positions: number[], onWorkers = true): Promise<void> => {
      if (positions.length === 0) return
      const useReplica = replica && onWorkers
      if (useReplica) await ensureReplica()
      const chunks = Math.max(1, Math.min(executor.size ?? groupsWanted, positions.length))
      const per = Math.ceil(positions.length / chunks)
      const b = batch++
      await Promise.all(
        Array.from({ length: chunks }, async (_, c) => {
          const list = positions.slice(c * per, (c + 1) * per).map((p) => txs[p]!)
          if (list.length === 0) return
          const pkg = toPackage(`${env.number}:predict:${b}:${c}`, 0, c, plan, list, {})
          const o: ReplicaOptions = useReplica ? { parentId } : { fallback: reader }
          const res = executor.executeIsolated !== undefined && onWorkers ? await executor.executeIsolated(pkg, o) : await isolatedInProcess(pkg, reader)
          timeline.push({ round: 0, group: c, executorId: res.executorId, txs: list.length, startedAt: res.startedAt, finishedAt: res.finishedAt, kind: 'predict' })
          for (const r of res.results) {
            const p = byIndex.get(r.index)!
            predictions[p] = r
            traced[p] = true
          }
        }),
      )
    }
    // Cheap predictions first (static transfers, trusted templates); templates learn from a few
    // traced examples per call shape; everything else is traced.
    const templates = opts.templates === false ? undefined : (opts.templates ?? new TemplateStore())
    const senders = txs.map((t) => t.sender.toString())
    // Each transaction's call shape, computed once (templates key on it in every pass below).
    const shapes = txs.map((t) => shapeOf(t.fields))
    const staticOn = opts.staticTransfers !== false
    // Synchronous for template predictions (most of a templated block): no await per transaction.
    const cheap = (p: number): boolean | Promise<boolean> => {
      const tx = txs[p]!.fields
      const a = templates?.predict(tx, senders[p], shapes[p])
      if (a !== undefined) return placeholder(p, a)
      if (!staticOn || !isPlainTransferShape(tx)) return false
      return predictTransferStatic(tx, { parent: state, block: createEnvBlockFor(plan), feeRecipients }).then((s) => s !== undefined && placeholder(p, s))
    }
    const placeholder = (p: number, a: AccessSet): true => {
      predictions[p] = placeholderResult(txs[p]!.index, a)
      predictedAccess[p] = a
      stats.cheap++
      return true
    }
    // Access sets of cheap predictions as built (traced ones are parsed from their results once).
    const predictedAccess: (AccessSet | undefined)[] = new Array(txs.length)
    const accessOf = (p: number): AccessSet => (predictedAccess[p] ??= accessSetFromJson(predictions[p]!.access))
    const gasOf = (r: TxResult, p: number): number => (r.receipt !== undefined ? Number(r.receipt.gasUsed) : Number(txs[p]!.fields.gasLimit))
    const choose = (acc: AccessSet[], gas: number[], positions: number[]): PartitionChoice =>
      choosePartition(acc, gas, positions.map((p) => senders[p]!), groupsWanted, {
        tryBelow: CUT_SENDER_CHAINS_BELOW * groupsWanted,
        margin: CUT_SENDER_CHAINS_MARGIN,
        ...(opts.cutSenderChains !== undefined ? { mode: opts.cutSenderChains } : {}),
      })
    // Ideal speedup of the block's first `upTo` transactions (all predicted).
    const prefixIdeal = (upTo: number): number => {
      const prefix = Array.from({ length: upTo }, (_, p) => p)
      return choose(prefix.map(accessOf), prefix.map((p) => gasOf(predictions[p]!, p)), prefix).effective
    }
    const fallBack = (upTo: number, ideal: number): BlockPlan => {
      plan.fallbackReason = `no parallelism in the first ${upTo} transactions (ideal speedup ${ideal.toFixed(2)})`
      plan.idealSpeedup = ideal
      plan.predictedBy = { traced: traced.filter(Boolean).length, cheap: stats.cheap }
      phases.predictMs = now() - tp
      return plan
    }
    // Before tracing anything (or sending the replica), an optimistic look at the block's first
    // part: what is predicted so far, and for every other transaction only the keys it certainly
    // touches (sender, value recipient, coinbase fee), which can only show fewer conflicts than
    // there are. When even that shows no parallelism, the block runs sequentially now: a block
    // whose value transfers to the coinbase join everything, or whose templates show one hot key,
    // need not wait for the replica and a traced sample to learn it. Looked at once with the
    // cheap predictions and again once templates are learned (`predictNow`: apply them first).
    // The block's first part, judged before the rest is predicted (here and in the check below).
    const prefixEnd = Math.max(SAMPLE_MIN, Math.ceil(txs.length * SAMPLE_FRACTION))
    let prefixChecked = false
    const optimisticPrefix = async (predictNow: boolean): Promise<BlockPlan | undefined> => {
      if (opts.forceParallel === true || txs.length < SAMPLE_CHECK_FROM) return undefined
      const envBlock = createEnvBlockFor(plan)
      const acc: AccessSet[] = []
      const gas: number[] = []
      const positions: number[] = []
      let allKnown = true
      for (let p = 0; p < prefixEnd; p++) {
        const c = predictions[p] !== undefined || (predictNow && cheap(p))
        const known = c === true || (c !== false && (await c))
        allKnown &&= known
        acc.push(known ? accessOf(p) : certainAccess(txs[p]!.fields, senders[p]!, envBlock))
        gas.push(known ? gasOf(predictions[p]!, p) : Number(txs[p]!.fields.gasLimit))
        positions.push(p)
      }
      const ideal = choose(acc, gas, positions).effective
      if (ideal < SEQUENTIAL_BELOW_SPEEDUP) return fallBack(prefixEnd, ideal)
      // Every transaction of that prefix predicted: the later check of it would repeat this one,
      // and the block looks worth the replica, which the workers load while this thread goes on.
      prefixChecked = allKnown
      if (allKnown) sendReplica()
      return undefined
    }
    let pending: number[] = []
    for (let p = 0; p < txs.length; p++) {
      const c = cheap(p)
      if (c === false || (c !== true && !(await c))) pending.push(p)
    }
    const first = await optimisticPrefix(false)
    if (first !== undefined) return first
    if (templates !== undefined) {
      const examples: number[] = []
      const perShape = new Map<string, number>()
      for (const p of pending) {
        const shape = shapes[p]
        if (shape === undefined || !templates.wants(shape)) continue
        const n = perShape.get(shape) ?? 0
        if (n < TEMPLATE_EXAMPLES) {
          perShape.set(shape, n + 1)
          examples.push(p)
        }
      }
      // Learning pays only when a shape repeats beyond its examples.
      const counts = new Map<string, number>()
      for (const p of pending) {
        const shape = shapes[p]
        if (shape !== undefined) counts.set(shape, (counts.get(shape) ?? 0) + 1)
      }
      const worth = examples.filter((p) => (counts.get(shapes[p]!) ?? 0) > TEMPLATE_EXAMPLES)
      if (worth.length > 0) {
        const learn = (positions: number[]): void => {
          for (const p of positions) {
            const r = predictions[p]!
            if (r.status === 'included' && r.receipt?.status === 1) templates.observe(txs[p]!.tx, accessSetFromJson(r.access))
          }
        }
        await trace(worth, false)
        learn(worth)
        const again = prefixChecked ? undefined : await optimisticPrefix(true)
        if (again !== undefined) return again
        // Keyed shapes (a router's calls, one pool per token pair): one traced example per key.
        const perKey = new Map<string, number>()
        for (const p of pending) {
          if (traced[p]) continue
          const key = templates.wantsKey(txs[p]!.fields, senders[p], shapes[p])
          if (key !== undefined && !perKey.has(key)) perKey.set(key, p)
        }
        const keyed = [...perKey.values()]
        if (keyed.length > 0) {
          await trace(keyed, keyed.length >= KEYED_EXAMPLES_ON_WORKERS_FROM)
          learn(keyed)
        }
        const rest: number[] = []
        // With templates most of a block is predicted here; check the first part of the block
        // before predicting the rest, so a fully dependent block (one hot key) falls back early.
        let checked = prefixChecked || opts.forceParallel === true || txs.length < SAMPLE_CHECK_FROM
        for (const p of pending) {
          if (!traced[p] && predictions[p] === undefined) {
            const c = cheap(p)
            if (c === false || (c !== true && !(await c))) rest.push(p)
          }
          // The prefix [0, p] is fully predicted while nothing in it failed (`rest` is empty).
          if (!checked && rest.length === 0 && p + 1 >= prefixEnd) {
            checked = true
            const ideal = prefixIdeal(p + 1)
            if (ideal < SEQUENTIAL_BELOW_SPEEDUP) return fallBack(p + 1, ideal)
            sendReplica()
          }
        }
        pending = rest
      }
    }
    let rest = pending.filter((p) => !traced[p])
    // Tracing is the costly part of prediction. Trace the earliest part first: when the block's
    // prefix up to it already shows no parallelism, fall back now instead of after tracing all.
    if (opts.forceParallel !== true && rest.length >= SAMPLE_CHECK_FROM) {
      const sample = rest.slice(0, Math.max(SAMPLE_MIN, Math.ceil(rest.length * SAMPLE_FRACTION)))
      await trace(sample)
      rest = rest.slice(sample.length)
      const upTo = sample[sample.length - 1]! + 1
      const ideal = prefixIdeal(upTo)
      if (ideal < SEQUENTIAL_BELOW_SPEEDUP) return fallBack(upTo, ideal)
    }
    await trace(rest)
    plan.predictions = predictions
    plan.predictedBy = { traced: traced.filter(Boolean).length, cheap: stats.cheap }
    phases.predictMs = now() - tp

    // ---- DAG and partition ----
    const access = predictions.map((_, p) => accessOf(p))
    const gas = predictions.map((r, p) => gasOf(r, p))
    // The DAG is built inside the partition choice (twice when sender chains are tried).
    const choice = choose(access, gas, access.map((_, p) => p))
    const part = choice.part
    phases.dagMs = choice.dagMs
    phases.partitionMs = choice.partitionMs
    plan.idealSpeedup = choice.effective
    if (opts.forceParallel !== true && choice.effective < SEQUENTIAL_BELOW_SPEEDUP) {
      plan.fallbackReason = `no parallelism (ideal speedup ${choice.effective.toFixed(2)})`
      return plan
    }
    // Canonical indices their group runs with their own nonce (marked in the packages only).
    const assumeNonce = new Set([...choice.assumeNonce].map((p) => txs[p]!.index))
    await ensureReplica()
    const compSize = new Uint32Array(part.componentCount)
    for (let p = 0; p < txs.length; p++) compSize[part.componentOf[p]!]!++
    const reuse = opts.reuseSpeculative ?? true
    // With sender chains cut, a repeating sender's transactions are not alone in truth: not kept.
    for (let p = 0; p < txs.length; p++) {
      plan.keep[p] = reuse && traced[p] === true && predictions[p]!.adjusted !== true && compSize[part.componentOf[p]!] === 1 && !choice.cutSenders.has(senders[p]!)
    }
    for (const g of part.groups) {
      const positions = [...g.txs].filter((p) => !plan.keep[p])
      if (positions.length === 0) continue
      const slice = replica ? {} : await sliceFor(reader, positions.map((p) => access[p]!))
      plan.packages.push(toPackage(`${env.number}:r1:g${g.index}`, 1, g.index, plan, positions.map((p) => txs[p]!), slice, assumeNonce))
    }
    plan.groups = plan.packages.length
  } finally {
    if (ownCheckpoint) await state.revert()
  }
  phases.totalMs = now() - t0
  return plan
}

/**
 * A stand-in result for a transaction predicted without running it (never committed as is). Its
 * JSON access set is built only when read (the planner keeps the access set itself): an own
 * enumerable getter, so JSON and structured clones still carry it.
 */
function placeholderResult(index: number, a: AccessSet): TxResult {
  const r = {
    index,
    status: 'excluded',
    exclusion: { code: 'NOT_EXECUTED', reason: 'predicted without execution' },
    writes: { accounts: {}, credits: {} },
    misses: [],
  } as Omit<TxResult, 'access'> as TxResult
  let json: AccessSetJson | undefined
  Object.defineProperty(r, 'access', { enumerable: true, configurable: true, get: () => (json ??= accessSetToJson(a)) })
  return r
}

const envBlocks = new WeakMap<object, ReturnType<typeof createEnvBlock>>()
/** The plan's EVM environment block (cached per plan). */
function createEnvBlockFor(plan: BlockPlan): ReturnType<typeof createEnvBlock> {
  let b = envBlocks.get(plan)
  if (b === undefined) {
    b = rulesFor(plan.chain, plan.env).block
    envBlocks.set(plan, b)
  }
  return b
}

async function isolatedInProcess(pkg: WorkPackage, fallback: StateReader): Promise<GroupResult> {
  const { runPackage } = await import('../group-exec/index.js')
  return runPackage(pkg, { executorId: 'in-process', fallback, isolate: true })
}

export interface CommitOptions {
  common: Common
  plan: BlockPlan
  /**
   * The round-1 group results: all at once (any order), or streamed in batches where each batch
   * promises every result for positions below `upTo` (committing overlaps with execution).
   */
  results: readonly GroupResult[] | AsyncIterable<ResultBatch>
  /** Parent state; the block's writes are committed into it. */
  state: StateManagerInterface
  /** Executor for repairs (default: the committer itself, in this thread, reading the committed prefix directly). */
  repairExecutor?: Executor
  /** The pre-block system writes are already in `state` (do not apply them again). */
  systemWritesApplied?: boolean
  /** Builds the block from the committed transactions (default: Ethereum header rules, `finishBlock`). */
  seal?: typeof finishBlock
  /**
   * Computes the block body's roots on other threads while the state root is computed (local
   * workers): the receipts' roots shared over them, the transactions root on one.
   */
  bodyRoots?: {
    receipts: (receipts: ReceiptInput[]) => Promise<Omit<BodyRoots, 'transactionsRoot'>>
    transactions: (raws: Uint8Array[]) => Promise<Uint8Array>
    /**
     * Streamed parts only: the receipts of part `part`, once it is merged (they follow receipts
     * whose gas sums to `cumulativeBefore`), encoded elsewhere while later parts run...
     */
    piece?: (receipts: ReceiptInput[], cumulativeBefore: bigint, part: number) => Promise<ReceiptsPiece>
    /** ...and the receipts' roots from those pieces and the receipts after them. */
    fromPieces?: (pieces: readonly Promise<ReceiptsPiece>[], rest: ReceiptInput[], cumulativeBefore: bigint) => Promise<Omit<BodyRoots, 'transactionsRoot'>>
  }
}

/** Streamed group results: every result of a position below `upTo` is in this or an earlier batch. */
export interface ResultBatch {
  upTo: number
  results: readonly GroupResult[]
}

/** What the parallel path did, besides the block itself. */
export interface ParallelReport {
  outcome: BlockOutcome
  mode: 'parallel' | 'sequential'
  fallbackReason?: string
  phases: PhaseTimes
  rounds: number
  groups: number
  /** Transactions executed again after the speculative run (in groups, or repaired). */
  reexecuted: number
  /** Transactions the committer re-executed because their group result conflicted. */
  repaired: number
  /** Transactions committed with their speculative result. */
  reusedSpeculative: number
  /** Results committed with their sender's balance rebased (the only conflict was gas paid in another group). */
  rebased: number
  /** Transactions run by the sequential tail. */
  sequentialTail: number
  conflicts: Conflict[]
  timeline: TimelineEntry[]
  /** True when every included transaction has its actual access and write sets (else no BAL / DAG hint). */
  traced: boolean
  /** For each included transaction (block order), the earlier included ones it depends on. */
  dagHint: number[][]
  /** Actual access sets of the included transactions, in block order. */
  accessSets: AccessSet[]
  /** Actual access and write sets of the included transactions, in block order (input of the EIP-7928 BAL). */
  traces: BalTxInput[]
  idealSpeedup: number
}

/** Committer: validates group results, repairs, merges and builds the block. */
export async function commitBlock(opts: CommitOptions): Promise<ParallelReport> {
  const t0 = now()
  const { common, plan, state } = opts
  const repairer = opts.repairExecutor ?? createInProcessExecutor('committer')
  const rules = rulesFor(plan.chain, plan.env)
  const { env, txs } = plan
  const phases = { ...plan.phases }
  const timeline = plan.timeline
  const block = rules.block
  const m = txs.length
  const excluded: Exclusion[] = [...plan.excluded]
  const included: { index: number; tx: TypedTransaction; raw: Uint8Array; receipt: ReceiptInput }[] = []
  const committedAccess: AccessSet[] = []
  const committedTraces: BalTxInput[] = []
  const conflicts: Conflict[] = []
  const byIndex = new Map<number, number>(txs.map((t, p) => [t.index, p]))
  let gasUsed = 0n
  let rounds = 0
  let reexecuted = 0
  let reusedSpeculative = 0
  let repaired = 0
  let rebased = 0

  // A result whose only conflict is its own sender's balance (gas paid in another group), from a
  // run that used that balance only to pay (`TxResult.senderPre`), is the sequential result with
  // the balance rebased: post = committed balance + (post - pre as run), when the committed
  // balance covers the transaction's maximum cost as sequential order's funds check demands.
  const rebaseSenderBalance = async (validator: StreamingValidator, p: number, r: TxResult, rec: ValidationRecord, conflict: Conflict): Promise<TxResult | undefined> => {
    const ptx = txs[p]!
    const sender = ptx.sender.toString()
    const key = `b:${sender}`
    if (r.senderPre === undefined || r.status !== 'included' || conflict.key !== key || rules.runTx !== undefined) return undefined
    if (ptx.fields.type > 2 || plan.feeRecipients.includes(sender)) return undefined
    if (validator.check({ ...rec, deltaKeys: new Set([key]) }) !== null) return undefined
    const tx = ptx.fields as TxFields & { maxFeePerGas?: bigint; gasPrice?: bigint }
    const price = tx.maxFeePerGas ?? tx.gasPrice
    if (price === undefined) return undefined
    const balance = (await state.getAccount(ptx.sender))?.balance ?? 0n
    if (balance < tx.gasLimit * price + tx.value) return undefined
    const acc = r.writes.accounts[sender]
    if (acc?.deleted === true) return undefined
    const post = acc?.balance === undefined ? balance : balance + BigInt(acc.balance) - BigInt(r.senderPre)
    const accounts = { ...r.writes.accounts, [sender]: { ...acc, balance: `0x${post.toString(16)}` } }
    return { ...r, writes: { ...r.writes, accounts } }
  }

  const merging = plan.fallbackReason === undefined && m > 0
  const stream = merging && Symbol.asyncIterator in opts.results ? (opts.results as AsyncIterable<ResultBatch>)[Symbol.asyncIterator]() : undefined
  // Streamed parts are flushed into the tries as they are merged, while the workers run the next
  // part; the seal then flushes only the last one. That flush runs at depth 0 (`partFlusher`),
  // so the committer takes no checkpoint of its own then: inside one, the account trie journals
  // every node until the closing commit, which took about 1 s on the 10k ERC-20 block and ate
  // the gain. No VM runs on `state` while merging (repairs run over a reader), so nothing needs
  // the checkpoint there; a sequential tail (a plan that fell back) still gets one.
  const flushPart = stream !== undefined ? partFlusher(state) : undefined
  const ownCheckpoint = flushPart === undefined
  // The receipts of each merged part go to be encoded at once (they are final), so the seal
  // encodes only the last part's before building the receipts trie.
  const body = opts.seal === undefined ? opts.bodyRoots : undefined
  const early: Promise<ReceiptsPiece>[] = []
  let sentUpTo = 0
  let sentGas = 0n
  const sendPiece = (): void => {
    if (stream === undefined || body?.piece === undefined || body.fromPieces === undefined || included.length === sentUpTo) return
    const receipts = included.slice(sentUpTo).map((i) => i.receipt)
    const piece = body.piece(receipts, sentGas, early.length)
    piece.catch(() => undefined)
    early.push(piece)
    for (const r of receipts) sentGas += r.gasUsed
    sentUpTo = included.length
  }
  if (ownCheckpoint) await state.checkpoint()
  if (opts.systemWritesApplied !== true) await applyPreBlockSystemWrites(state, env, common)
  const reader = stateManagerReader(state)

  // Credits (fees to the coinbase and vaults) are summed and applied before anything reads the state.
  const pendingCredits = new Map<string, bigint>()
  const commitResult = async (p: number, r: TxResult): Promise<void> => {
    const ptx = txs[p]!
    if (r.status === 'included' && r.receipt !== undefined) {
      const writeSet = writeSetFromJson(r.writes)
      await applyWriteSet(state, writeSet, pendingCredits)
      const receipt: ReceiptInput = {
        txType: ptx.fields.type,
        status: r.receipt.status,
        gasUsed: BigInt(r.receipt.gasUsed),
        logs: r.receipt.logs.map(([a, t, d]) => [hexToBytes(a as `0x${string}`), t.map((x) => hexToBytes(x as `0x${string}`)), hexToBytes(d as `0x${string}`)]),
      }
      gasUsed += receipt.gasUsed
      included.push(withTxOf({ index: ptx.index, raw: ptx.raw, receipt }, ptx))
      const accessSet = accessSetFromJson(r.access)
      committedAccess.push(accessSet)
      committedTraces.push({ accessSet, writeSet })
    } else {
      excluded.push({ index: ptx.index, code: r.exclusion?.code ?? 'INVALID_TX', reason: `transaction ${ptx.index}: ${r.exclusion?.reason ?? 'excluded'}` })
    }
  }

  let done = 0
  if (merging) {
    // What each transaction did in its group (or speculatively, for kept ones).
    const executed: TxResult[] = plan.predictions.slice()
    const groupOfPos = new Int32Array(m).fill(-1)
    const ingest = (batch: readonly GroupResult[]): void => {
      for (const gr of batch) {
        const group = groupOf(gr.packageId)
        for (const r of gr.results) {
          const p = byIndex.get(r.index)
          if (p === undefined) continue
          executed[p] = r
          groupOfPos[p] = group
          reexecuted++
        }
      }
    }
    let available = 0
    if (stream === undefined) {
      ingest(opts.results as readonly GroupResult[])
      available = m
    }
    let waitMs = 0
    const validator = new StreamingValidator()
    // Transactions their group ran with their own nonce: read from the packages that ran, so the
    // assumption is only granted where a group really made it (plans may come over the network).
    const assumedNonce = new Set<number>()
    for (const pkg of plan.packages) for (const t of pkg.txs) if (t.assumeNonce === true) assumedNonce.add(t.index)
    let flushedUpTo = 0
    const tc = now()
    for (let p = 0; p < m; p++) {
      while (p >= available && stream !== undefined) {
        if (flushPart !== undefined && p > flushedUpTo) {
          sendPiece()
          await flushPart()
          flushedUpTo = p
        }
        const tw = now()
        const next = await stream.next()
        waitMs += now() - tw
        if (next.done === true) available = m
        else {
          ingest(next.value.results)
          available = Math.max(available, next.value.upTo)
        }
      }
      const kept = plan.keep[p] === true
      const r = executed[p]!
      const ptx = txs[p]!
      const rec = toRecord(p, kept ? -1 - p : groupOfPos[p]!, r, kept)
      if (!kept && assumedNonce.has(ptx.index)) rec.assumed = new Map([[`n:${ptx.sender.toString()}`, `0x${ptx.fields.nonce.toString(16)}`]])
      if (ptx.fields.gasLimit > env.gasLimit - gasUsed) {
        // Sequential order rejects it before running it; whatever its group saw it do is void.
        excluded.push({ index: ptx.index, code: EXCLUSION_REASON.gasLimitExceedsBlock, reason: `transaction ${ptx.index}: gas limit ${ptx.fields.gasLimit} exceeds the ${env.gasLimit - gasUsed} gas the block has left` })
        validator.commit({ index: p, group: -1, reads: [], writes: new Map(), credits: new Map() })
        validator.observe(rec)
        continue
      }
      // No result, or a run that could not read its state: the committer runs it itself.
      const missing = (!kept && groupOfPos[p] === -1) || r.exclusion?.code === STATE_UNAVAILABLE
      const conflict = missing ? null : validator.check(rec)
      const rebase = conflict === null || kept ? undefined : await rebaseSenderBalance(validator, p, r, rec, conflict)
      if (rebase !== undefined) {
        rebased++
        validator.commit(toRecord(p, groupOfPos[p]!, rebase, false))
        await commitResult(p, rebase)
      } else if (!missing && conflict === null) {
        if (kept) reusedSpeculative++
        validator.commit(rec)
        await commitResult(p, r)
      } else {
        if (conflict !== null) conflicts.push(conflict)
        // Repair: run it now against the committed prefix (exact by construction).
        const te = now()
        await applyPendingCredits(state, pendingCredits)
        const res = await repairer.execute(toPackage(`${env.number}:repair:${p}`, 2, -1, plan, [ptx], {}), { fallback: reader })
        phases.executeMs += now() - te
        const fixed = res.results[0]!
        repaired++
        timeline.push({ round: 2, group: -1, executorId: res.executorId, txs: 1, startedAt: res.startedAt, finishedAt: res.finishedAt, kind: 'execute' })
        validator.commit(toRecord(p, -1, fixed, false))
        await commitResult(p, fixed)
      }
      validator.observe(rec)
    }
    rounds = repaired > 0 ? 2 : 1
    // Time spent waiting for streamed results belongs to execution, not to committing.
    phases.commitMs += now() - tc - waitMs
    phases.executeMs += waitMs
    done = m
  }

  await applyPendingCredits(state, pendingCredits)
  // ---- sequential tail (the fallback): traced for the BAL and DAG hint when asked (and always
  // under chain rules that replace runTx), else plain at the speed of the sequential path ----
  const tail = m - done
  const tracedTail = plan.traceFallback !== false || rules.runTx !== undefined
  if (tail > 0 && tracedTail) {
    const ts = now()
    const tracer = new TracingStateManager(state, { feeRecipients: plan.feeRecipients })
    const vm = await rules.createVM(tracer)
    for (let p = done; p < m; p++) {
      const ptx = txs[p]!
      const t = await traceTransaction(vm, ptx.tx, { block, blockGasUsed: gasUsed, ...(rules.runTx !== undefined ? { runTx: rules.runTx } : {}) })
      if (!t.outcome.included) {
        excluded.push({ index: ptx.index, code: t.outcome.reason, reason: `transaction ${ptx.index}: ${t.outcome.message}` })
        continue
      }
      const receipt: ReceiptInput = { txType: ptx.tx.type, status: t.outcome.status, gasUsed: t.outcome.gasUsed, logs: t.outcome.logs }
      gasUsed += receipt.gasUsed
      included.push({ index: ptx.index, tx: ptx.tx, raw: ptx.raw, receipt })
      committedAccess.push(t.accessSet)
      committedTraces.push({ accessSet: t.accessSet, writeSet: t.writeSet })
    }
    // Credits the tracer kept pending (recipients nobody read) go into the state now.
    for (const [addr, amount] of tracer.pendingCredits()) await creditBalance(state, toAddress(addr), amount)
    phases.executeMs += now() - ts
  } else if (tail > 0) {
    const ts = now()
    const vm = await rules.createVM(state)
    gasUsed = await runInOrder(vm, txs.slice(done), block, env.gasLimit, gasUsed, included, excluded)
    phases.executeMs += now() - ts
  }

  const tf = now()
  // The body's roots start elsewhere first: the commit below flushes the state into the tries.
  const raws = included.map((i) => i.raw)
  let bodyRoots: Promise<BodyRoots> | undefined
  if (body !== undefined) {
    const receiptsPart =
      early.length > 0 && body.fromPieces !== undefined
        ? body.fromPieces(early, included.slice(sentUpTo).map((i) => i.receipt), sentGas)
        : body.receipts(included.map((i) => i.receipt))
    const txRoot = body.transactions(raws)
    bodyRoots = Promise.all([receiptsPart, txRoot]).then(([r, t]) => ({ ...r, transactionsRoot: t }))
    bodyRoots.catch(() => undefined)
  }
  if (ownCheckpoint) await state.commit()
  // What the closing commit does at depth 0 besides flushing (the seal's state root flushes).
  else state.originalStorageCache.clear()
  const outcome = await (opts.seal ?? finishBlock)({ common, env, state, included, excluded, ...(bodyRoots !== undefined ? { bodyRoots } : {}) })
  phases.commitMs += now() - tf
  phases.sealMs += now() - tf
  phases.totalMs += now() - t0
  const report: ParallelReport = {
    outcome,
    mode: plan.fallbackReason === undefined ? 'parallel' : 'sequential',
    phases,
    rounds,
    groups: plan.groups,
    reexecuted: reexecuted + repaired,
    repaired,
    reusedSpeculative,
    rebased,
    sequentialTail: tail,
    conflicts,
    timeline,
    traced: included.length === committedTraces.length,
    dagHint: dagHintOf(committedAccess),
    accessSets: committedAccess,
    traces: committedTraces,
    idealSpeedup: plan.idealSpeedup,
  }
  if (plan.fallbackReason !== undefined) report.fallbackReason = plan.fallbackReason
  return report
}

/**
 * The state's `flush` (cache -> tries) when flushing per part changes nothing but timing: a
 * `CachedMerkleStateManager` with no open checkpoint, where the seal's flush is final too. A
 * state under a caller's checkpoint keeps the block's writes in its journal until the seal.
 */
function partFlusher(state: StateManagerInterface): (() => Promise<void>) | undefined {
  return state instanceof CachedMerkleStateManager && state.checkpointDepth === 0 ? () => state.flush() : undefined
}

/** The group number encoded in a package id (`<block>:r<round>:g<group>[:c<part>]`). */
function groupOf(packageId: string): number {
  const g = /:g(\d+)(?::c\d+)?$/.exec(packageId)
  return g === null ? 0 : Number(g[1])
}

/** A validation record from a result: keys read, keys written with their post values, credits. */
function toRecord(p: number, group: number, r: TxResult, fromParent: boolean): ValidationRecord {
  const writes = new Map<string, string>()
  for (const k of r.access.writes) writes.set(k, DELETED)
  for (const [addr, a] of Object.entries(r.writes.accounts)) {
    if (a.deleted === true) continue
    if (a.balance !== undefined) writes.set(`b:${addr}`, a.balance)
    if (a.nonce !== undefined) writes.set(`n:${addr}`, a.nonce)
    if (a.code !== undefined) writes.set(`c:${addr}`, a.code)
    for (const [slot, v] of Object.entries(a.storage ?? {})) writes.set(`s:${addr}:${slot}`, v)
  }
  const credits = new Map<string, bigint>()
  for (const [addr, v] of Object.entries(r.access.credits)) credits.set(addr, BigInt(v))
  return { index: p, group, fromParent, reads: r.access.reads, writes, credits }
}

/** Value of a written key whose account was deleted (or whose slot was wiped). */
const DELETED = '<deleted>'

export interface ParallelOptions extends PlanOptions {
  /** Consecutive equal parts each group is cut into so committing overlaps execution (default: DEFAULT_PART_SHARES, shrinking towards the end). */
  parts?: number
}

/** Executes a block in parallel on `executor` (plan, execute packages, commit). */
export async function executeParallel(opts: ParallelOptions): Promise<ParallelReport> {
  const t0 = now()
  const { state } = opts
  // System writes first, so every package and every miss sees them (they precede tx 0). No outer
  // checkpoint: the committer's flushes (per part, or its closing commit) then run at depth 0, as
  // the sequential path's does.
  const wrote = await applyPreBlockSystemWrites(state, opts.env, opts.common)
  const plan = await planBlock({ ...opts, systemWritesApplied: true, systemWritesChanged: wrote })
  const results = dispatchInParts(plan, opts, stateManagerReader(state))
  const commitOpts: CommitOptions = { common: opts.common, plan, results, state, systemWritesApplied: true }
  // The seal's state-independent part runs on the workers, idle while the state is flushed.
  const ex = opts.executor as Partial<Pick<WorkerExecutor, 'receiptRoots' | 'transactionsRoot' | 'receiptsPiece' | 'receiptsFromPieces' | 'size'>>
  if (typeof ex.receiptRoots === 'function' && typeof ex.transactionsRoot === 'function' && opts.raws.length >= BODY_ON_WORKERS_FROM) {
    const chainSpec = plan.chain
    const envJson = envToJson(plan.env)
    commitOpts.bodyRoots = {
      receipts: (receipts) => ex.receiptRoots!.call(opts.executor, chainSpec, envJson, receipts, 0),
      transactions: (raws) => ex.transactionsRoot!.call(opts.executor, chainSpec, envJson, raws, 1),
    }
    if (typeof ex.receiptsPiece === 'function' && typeof ex.receiptsFromPieces === 'function') {
      const piece = ex.receiptsPiece.bind(opts.executor)
      const fromPieces = ex.receiptsFromPieces.bind(opts.executor)
      // Queued behind each worker's remaining packages, taking turns: a worker encodes them when
      // it ends (while this thread merges the last part), having received them while it ran.
      commitOpts.bodyRoots.piece = (receipts, before, part) => piece(chainSpec, envJson, receipts, before, part % (ex.size ?? 2))
      commitOpts.bodyRoots.fromPieces = async (pieces, rest, before) => {
        const all = [...pieces]
        if (rest.length > 0) all.push(piece(chainSpec, envJson, rest, before, all.length % (ex.size ?? 2)))
        return fromPieces(chainSpec, envJson, await Promise.all(all), 0)
      }
    }
  }
  const report = await commitBlock(commitOpts)
  report.phases.totalMs = now() - t0
  return report
}

/**
 * Executes the plan's packages so that results stream: each group is cut at common position
 * boundaries into `parts` consecutive packages run on one worker (a session keeps the group's
 * state between them), and batch j is yielded once every group finished its part j, so the
 * committer validates and merges part j while the workers run part j+1.
 */
async function* dispatchInParts(plan: BlockPlan, opts: ParallelOptions, reader: StateReader): AsyncGenerator<ResultBatch> {
  const m = plan.txs.length
  // Streaming needs misses answered from an immutable parent (the workers' replicas): reading the
  // live state would show a group writes the committer merged meanwhile. Otherwise: one part.
  const equal = (n: number): number[] => Array.from({ length: n }, () => 1 / n)
  const shares = plan.parentId === undefined ? [1] : opts.parts === undefined ? DEFAULT_PART_SHARES : equal(Math.max(1, Math.min(opts.parts, m)))
  const parts = shares.length
  // End of each part (a position); the last is m. Rounding may leave a small block's part empty.
  let cut = 0
  const bounds = shares.map((f, j) => (j === parts - 1 ? m : Math.min(m, Math.round((cut += f) * m))))
  const posOf = new Map<number, number>(plan.txs.map((t, p) => [t.index, p]))
  const executor = opts.executor as { execute(p: WorkPackage, o: ReplicaOptions & { affinity?: number }): Promise<GroupResult>; ordersByAffinity?: boolean }
  const exec = (p: WorkPackage, o: ReplicaOptions & { affinity?: number }): Promise<GroupResult> => executor.execute(p, o)
  // An executor that runs tasks of one affinity in submission order gets every part at once, so a
  // worker starts its next part as soon as it ends one, not when this thread (busy merging) has
  // taken the result. Any other executor gets part j+1 once part j is done.
  const pipelined = executor.ordersByAffinity === true
  // per group: the promise of each part's result (null when the group has no tx in that part)
  const chains = plan.packages.map((pkg, gi) => {
    let prevEnd = 0
    const byPart = bounds.map((end) => {
      const txs = pkg.txs.filter((t) => {
        const p = posOf.get(t.index)!
        return p >= prevEnd && p < end
      })
      prevEnd = end
      return txs
    })
    const last = byPart.reduce((acc, t, j) => (t.length > 0 ? j : acc), -1)
    let chain: Promise<unknown> = Promise.resolve()
    let seq = 0
    return byPart.map((txs, j) => {
      if (txs.length === 0) return null
      const part: WorkPackage = { ...pkg, id: `${pkg.id}:c${j}`, txs, session: { id: pkg.id, part: seq++, last: j === last } }
      const o: ReplicaOptions & { affinity?: number } = plan.parentId !== undefined ? { parentId: plan.parentId } : { fallback: reader }
      o.affinity = gi
      const submit = async (): Promise<GroupResult> => {
        const res = await exec(part, o)
        plan.timeline.push({ round: 1, group: pkg.group, executorId: res.executorId, txs: txs.length, startedAt: res.startedAt, finishedAt: res.finishedAt, kind: 'execute' })
        return res
      }
      const run = pipelined ? submit() : chain.then(submit)
      chain = run
      // Failures surface where the batch is awaited; this only keeps them from going unhandled.
      run.catch(() => undefined)
      return run
    })
  })
  for (let j = 0; j < parts; j++) {
    const done = await Promise.all(chains.map((c) => c[j]).filter((x): x is Promise<GroupResult> => x !== null && x !== undefined))
    yield { upTo: bounds[j]!, results: done }
  }
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
