/**
 * `paradag bench --exec`: real execution of a generated workload, measured in one run.
 * - tracing overhead: the same transactions run sequentially with plain `runTx` and with the
 *   access tracer, over the same in-memory state (ratio traced / plain);
 * - the traced access sets feed the DAG + partition figures;
 * - block execution: (A) plain ethereumjs `runBlock` (default Merkle state, default crypto),
 *   (B) paradag's sequential path (cached Merkle state, native ecrecover), and paradag's parallel
 *   path on worker threads; speedups are ratios against A and B, and all roots must match.
 */
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { createBlock } from '@ethereumjs/block'
import { createCustomCommon, Mainnet } from '@ethereumjs/common'
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { createVM, runBlock, runTx } from '@ethereumjs/vm'
import { commonForVM } from '../../src/crypto/index.js'
import { compactFromAccessSets } from '../../src/dag/index.js'
import { WorkerExecutor, type GroupResult } from '../../src/group-exec/index.js'
import { createEnvBlock, executeParallel, executeSequential, prepareTransactions, toPackage } from '../../src/pipeline/index.js'
import { MapStateManager, loadSnapshotInto, merkleStateFrom, snapshotToJson } from '../../src/state/index.js'
import { TracingStateManager, traceTransaction, type AccessSet } from '../../src/state-verification/index.js'
import { generateWorkload, workloadBlockInput, type AnyWorkloadOptions, type Workload } from '../../src/workloads/index.js'
import { runPartition, type PartitionRunFigures, type Strategy } from './partition-run.js'

export interface ExecBenchInput {
  workload: string
  txs: number
  accounts: number
  skew: number
  seed: number
  groups: number
  strategy: Strategy
  workers?: number
  /** Also run baseline A (plain runBlock); default true. */
  baselineA?: boolean
  /** Extra generator options (pools, tokens, oneSender, hotKey). */
  generator?: AnyWorkloadOptions
}

/** Execution figures added to a bench run by `--exec`. */
export interface ExecFigures {
  plainExecMs: number
  tracingMs: number
  tracingOverhead: number
  runBlockMs: number | null
  sequentialMs: number
  parallelMs: number
  speedupVsSequential: number
  speedupVsRunBlock: number | null
  rootsMatch: boolean
  parallelRounds: number
  repaired: number
  /** Results committed with their sender's gas balance rebased (sender chains cut). */
  rebased: number
  reusedSpeculative: number
  parallelMode: string
  phases: Record<string, number>
  /**
   * The machine's parallel ceiling for this block's execution: the block's transactions cut into
   * one contiguous package per worker, each run alone and then all at once (no main-thread work);
   * sum of the solo times / wall time of the concurrent run. 2.0 would be perfect on 2 workers.
   */
  workerCeiling: number
  /** Workers the ceiling and the parallel path used. */
  workers: number
  /**
   * CPU time of the counted runs, in ms: the whole process (every thread: this one, the
   * workers, V8's garbage-collector threads) and this thread alone (null where the OS does not
   * report a thread's CPU). On n cores a run cannot take less wall time than its process CPU / n.
   */
  cpu: { sequentialMs: number; sequentialMainMs: number | null; parallelMs: number; parallelMainMs: number | null }
}

/** CPU time used so far, in ms: by the process, and by this thread (Linux's /proc, in USER_HZ = 100 ticks). */
function cpuNow(): { process: number; thread: number | null } {
  const u = process.cpuUsage()
  let thread: number | null = null
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    thread = (Number(f[11]) + Number(f[12])) * 10
  } catch {
    // not Linux: the process figure only
  }
  return { process: (u.user + u.system) / 1000, thread }
}

/** CPU a run used since `before` (see `cpuNow`). */
function cpuSince(before: ReturnType<typeof cpuNow>): { process: number; thread: number | null } {
  const after = cpuNow()
  return { process: after.process - before.process, thread: after.thread === null || before.thread === null ? null : after.thread - before.thread }
}

/** Transactions in the untimed block that warms the worker pool before the parallel run. */
const WARMUP_TXS = 2000
/**
 * Times the pool runs that block. B's thread has run the block's transactions five times by then
 * (plain and traced runs); after one warm-up block the workers were still cold in the first
 * measured run (a one-sender block: 1.0 s against 0.55 s in later runs).
 */
const WARMUP_BLOCKS = 2
/**
 * Blocks up to this size run B and the parallel path four times each, alternating, instead of
 * twice: their runs take 0.5-2 s, and single runs moved by ±20% here (a 2,000-transaction
 * hot-slot block: B 1.8-2.8 s over eight runs).
 */
const SMALL_BLOCK_TXS = 4000
const SMALL_BLOCK_ROUNDS = 4

/** Runs the exec benchmark for one configuration. */
export async function runExecBench(input: ExecBenchInput): Promise<PartitionRunFigures & ExecFigures> {
  const w = await generateWorkload(input.workload, { ...(input.generator ?? {}), txs: input.txs, accounts: input.accounts, skew: input.skew, seed: input.seed })
  const { env, raws, chain } = workloadBlockInput(w)
  const common = w.common
  const block = createEnvBlock(env, common)

  // ---- tracing overhead: plain vs traced sequential runs over the same in-memory state ----
  const plain = async (): Promise<number> => {
    const vm = await createVM({ common: commonForVM(common), stateManager: new MapStateManager({ snapshot: w.genesis }) })
    const txs = raws.map((r) => createTxFromRLP(r, { common }))
    const t = performance.now()
    for (const tx of txs) {
      try {
        await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
      } catch {
        // invalid txs are rejected the same way in both runs
      }
    }
    return performance.now() - t
  }
  const traced = async (): Promise<{ ms: number; access: AccessSet[]; gas: number[] }> => {
    const state = new TracingStateManager(new MapStateManager({ snapshot: w.genesis }), { feeRecipients: [env.coinbase] })
    const vm = await createVM({ common: commonForVM(common), stateManager: state })
    const txs = raws.map((r) => createTxFromRLP(r, { common }))
    const access: AccessSet[] = []
    const gas: number[] = []
    const t = performance.now()
    for (const tx of txs) {
      const r = await traceTransaction(vm, tx, { block })
      access.push(r.accessSet)
      gas.push(r.outcome.included ? Number(r.outcome.gasUsed) : 21_000)
    }
    return { ms: performance.now() - t, access, gas }
  }
  await plain() // warm-up of the interpreter and caches
  const plainMs = Math.min(await plain(), await plain())
  const tr1 = await traced()
  const tr2 = await traced()
  const tracingMs = Math.min(tr1.ms, tr2.ms)

  const figures = runPartition({
    workload: input.workload,
    exec: true,
    seed: input.seed,
    skew: input.skew,
    accounts: input.accounts,
    groups: input.groups,
    strategy: input.strategy,
    accesses: compactFromAccessSets(tr1.access, tr1.gas).accesses,
  })

  // ---- block execution: A (runBlock), B (sequential), parallel ----
  const a = input.baselineA === false ? null : await baselineA(w)
  const runBlockMs = a === null ? null : a.ms
  // B and the parallel path each run twice (small blocks four times), alternating, and the faster
  // run counts: a single run right after A's long runBlock pays for collecting its garbage,
  // which would flatter the ratio.
  let seq: Awaited<ReturnType<typeof executeSequential>> | undefined
  let sequentialMs = Infinity
  let seqCpu = { process: NaN, thread: null as number | null }
  const runB = async (): Promise<void> => {
    const seqState = await merkleStateFrom(w.genesis, common)
    const c0 = cpuNow()
    const t0 = performance.now()
    seq = await executeSequential({ common, env, state: seqState, raws })
    const ms = performance.now() - t0
    if (ms < sequentialMs) {
      sequentialMs = ms
      seqCpu = cpuSince(c0)
    }
  }
  const executor = new WorkerExecutor({ ...(input.workers !== undefined ? { workers: input.workers } : {}) })
  await executor.start()
  let par: Awaited<ReturnType<typeof executeParallel>> | undefined
  let parallelMs = Infinity
  let parCpu = { process: NaN, thread: null as number | null }
  let workerCeiling = NaN
  try {
    // The pool is meant to stay warm across blocks (as in the sidecar); B's main thread is warm
    // from the runs above. Warm the workers the same way on a smaller block of another seed.
    const warm = await generateWorkload(input.workload, { ...(input.generator ?? {}), txs: Math.min(input.txs, WARMUP_TXS), accounts: input.accounts, skew: input.skew, seed: input.seed + 1000 })
    const wi = workloadBlockInput(warm)
    for (let k = 0; k < WARMUP_BLOCKS; k++) {
      await executeParallel({ common: warm.common, chain: wi.chain, env: wi.env, state: await merkleStateFrom(warm.genesis, warm.common), raws: wi.raws, executor, groups: input.groups, parentSnapshot: snapshotToJson(warm.genesis) })
    }
    const parentSnapshot = snapshotToJson(w.genesis)
    const rounds = input.txs <= SMALL_BLOCK_TXS ? SMALL_BLOCK_ROUNDS : 2
    for (let round = 0; round < rounds; round++) {
      await runB()
      const parState = await merkleStateFrom(w.genesis, common)
      const c0 = cpuNow()
      const t0 = performance.now()
      const run = await executeParallel({ common, chain, env, state: parState, raws, executor, groups: input.groups, parentSnapshot })
      const ms = performance.now() - t0
      if (ms < parallelMs) {
        parallelMs = ms
        par = run
        parCpu = cpuSince(c0)
      }
    }
    workerCeiling = await measureCeiling(executor, w.common, { env, raws, chain }, parentSnapshot)
  } finally {
    await executor.stop()
  }
  if (par === undefined || seq === undefined) throw new Error('bench: no run completed')
  const rootsMatch =
    bytesToHex(par.outcome.blockHash) === bytesToHex(seq.blockHash) &&
    (a === null || bytesToHex(a.stateRoot) === bytesToHex(seq.stateRoot))
  return {
    ...figures,
    plainExecMs: plainMs,
    tracingMs,
    tracingOverhead: tracingMs / plainMs,
    runBlockMs,
    sequentialMs,
    parallelMs,
    speedupVsSequential: sequentialMs / parallelMs,
    speedupVsRunBlock: runBlockMs === null ? null : runBlockMs / parallelMs,
    rootsMatch,
    parallelRounds: par.rounds,
    repaired: par.repaired,
    rebased: par.rebased,
    reusedSpeculative: par.reusedSpeculative,
    parallelMode: par.mode,
    phases: { ...par.phases },
    workerCeiling,
    workers: executor.size,
    cpu: { sequentialMs: seqCpu.process, sequentialMainMs: seqCpu.thread, parallelMs: parCpu.process, parallelMainMs: parCpu.thread },
  }
}

/**
 * Measures how much faster the pool's workers execute this block's transactions together than
 * one at a time: one contiguous package per worker (round-1 group packages over the parent
 * replica), run alone one after another, then all at once; best of two rounds each. The ratio
 * bounds what any split of execution can gain on this machine, whatever the committer does.
 */
async function measureCeiling(executor: WorkerExecutor, common: Workload['common'], block: ReturnType<typeof workloadBlockInput>, parentSnapshot: ReturnType<typeof snapshotToJson>): Promise<number> {
  const { env, raws, chain } = block
  const txs = prepareTransactions(raws, common).txs.filter((t) => t !== null)
  const n = executor.size
  if (n < 2 || txs.length < n) return NaN
  const parentId = `ceiling:${env.number}`
  await executor.setParent(parentId, parentSnapshot)
  const per = Math.ceil(txs.length / n)
  const pkgs = Array.from({ length: n }, (_, k) => toPackage(`ceiling:g${k}`, 1, k, { chain, env, feeRecipients: [env.coinbase.toLowerCase()] }, txs.slice(k * per, (k + 1) * per), {}))
  const run = (k: number): Promise<GroupResult> => executor.execute(pkgs[k]!, { parentId, affinity: k })
  let solo = Infinity
  let together = Infinity
  for (let round = 0; round < 2; round++) {
    let sum = 0
    for (let k = 0; k < n; k++) {
      const r = await run(k)
      sum += r.finishedAt - r.startedAt
    }
    solo = Math.min(solo, sum)
    const all = await Promise.all(pkgs.map((_, k) => run(k)))
    together = Math.min(together, Math.max(...all.map((r) => r.finishedAt)) - Math.min(...all.map((r) => r.startedAt)))
  }
  return solo / together
}

/** Baseline A: plain ethereumjs runBlock over a default Merkle state with default (pure-JS) crypto. */
async function baselineA(w: Workload): Promise<{ ms: number; stateRoot: Uint8Array }> {
  const e = w.blockEnv
  const common = createCustomCommon({ chainId: Number(e.chainId) }, Mainnet, { hardfork: e.hardfork })
  const state = new MerkleStateManager({ common })
  await loadSnapshotInto(state, w.genesis)
  const vm = await createVM({ common, stateManager: state })
  const txs = w.raw.map((r) => createTxFromRLP(r, { common }))
  const block = createBlock(
    {
      header: { number: e.number, timestamp: e.timestamp, coinbase: e.coinbase as `0x${string}`, gasLimit: e.gasLimit, baseFeePerGas: e.baseFee, mixHash: e.prevRandao, difficulty: 0n },
      transactions: txs,
    },
    { common, skipConsensusFormatValidation: true },
  )
  const t = performance.now()
  const res = await runBlock(vm, { block, generate: true, skipBlockValidation: true, skipHeaderValidation: true, skipHardForkValidation: true })
  return { ms: performance.now() - t, stateRoot: res.stateRoot }
}
