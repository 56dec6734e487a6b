/**
 * The committer role. It receives each block's plan from construction, waits for every round-1
 * package's result accepted by quorum (reassigning a package to another group, or running it
 * itself, on a timeout, a disagreement or a forgery), then validates, repairs, merges and builds
 * the block with the pipeline's `commitBlock`, and persists block + state diff atomically in
 * the chain store before telling construction. Blocks are committed strictly in order. On start
 * it rebuilds its state from the genesis and the stored diffs (checking the head's state root)
 * and announces its head, so a restart resumes with no block lost or repeated.
 */
import type { MerkleStateManager } from '@ethereumjs/statemanager'
import { bytesToHex } from '@ethereumjs/util'
import { createLogger, ParadagError } from '../../src/common/index.js'
import type { Logger } from '../../src/common/index.js'
import { createInProcessExecutor } from '../../src/group-exec/index.js'
import type { Executor, GroupResult } from '../../src/group-exec/index.js'
import { applyPreBlockSystemWrites, commitBlock } from '../../src/pipeline/index.js'
import type { BlockPlan } from '../../src/pipeline/index.js'
import { merkleStateFrom, stateManagerReader } from '../../src/state/index.js'
import type { ChainStore, JsonValue, StoredBlock } from '../chain-store.js'
import type { Envelope, ParadagNode } from '../index.js'
import { RemoteExecutor } from '../remote-executor.js'
import type { AttemptEvent } from '../remote-executor.js'
import type { TestChain } from '../testnet/chain.js'
import { GENESIS_HASH } from '../testnet/chain.js'
import { applyStateDiff, recordWrites, stateDiff, storedBlock } from './chain-state.js'
import type { WriteRecorder } from './chain-state.js'
import { ResultCollector } from './collector.js'
import type { Fault } from './collector.js'
import { RoleError } from './errors.js'
import { planFromJson } from './plan-codec.js'
import { decodePackagePayload, encodePackagePayload } from './wire.js'
import type { CommitNotice } from './wire.js'

export interface CommitterOptions {
  node: ParadagNode
  chain: TestChain
  store: ChainStore
  /** Time a group has to reach a quorum on a package (ms). */
  groupTimeoutMs?: number
  /** Where repairs and last-resort executions run (default in-process on this node). */
  localExecutor?: Executor
  logger?: Logger
  onEvent?: (e: CommitterEvent) => void
}

/** One package of a committed block, for the timeline. */
export interface PackageTimeline {
  packageId: string
  group: number
  txs: number
  /** Where the accepted result came from: a sequencer name, or 'local'. */
  executedBy: string
  startedAt: number
  finishedAt: number
  acceptedAt: number
  attempts: Array<{ target: number | 'local'; outcome: 'accepted' | 'failed'; code?: string; startedAt: number; finishedAt: number }>
}

/** The committer's account of one block. */
export interface BlockReport {
  blockNumber: string
  blockHash: string
  stateRoot: string
  txs: number
  included: number
  excluded: number
  gasUsed: string
  packages: number
  /** Results accepted by a quorum of voters, with the votes counted. */
  votes: number
  reassignments: number
  localExecutions: number
  repaired: number
  rounds: number
  faults: Fault[]
  /** Local clock, ms. */
  planReceivedAt: number
  lastResultAt: number
  committedAt: number
  /** Time from the last accepted result to the persisted commit (ms). */
  lastResultToCommitMs: number
  commitMs: number
  timeline: PackageTimeline[]
}

export type CommitterEvent = { type: 'committed'; report: BlockReport } | { type: 'fault'; fault: Fault } | { type: 'restored'; head: string }

/** The committer service. */
export class CommitterService {
  private readonly node: ParadagNode
  private readonly chain: TestChain
  private readonly store: ChainStore
  private readonly opts: CommitterOptions
  private readonly log: Logger
  readonly collector: ResultCollector
  readonly remote: RemoteExecutor
  private readonly local: Executor
  private state: MerkleStateManager | undefined
  private recorder: WriteRecorder | undefined
  private readonly plans = new Map<bigint, { plan: BlockPlan; at: number }>()
  private running: Promise<void> = Promise.resolve()
  private attempts = new Map<string, AttemptEvent[]>()
  private faultsByBlock = new Map<string, Fault[]>()
  private started = false

  constructor(options: CommitterOptions) {
    if (options.node.role !== 'committer') throw new RoleError('ROLE_BAD_CONFIG', `committer service on a ${options.node.role} node`)
    this.node = options.node
    this.chain = options.chain
    this.store = options.store
    this.opts = options
    this.log = options.logger ?? createLogger('paradag:network:committer', options.node.name)
    this.collector = new ResultCollector({
      node: options.node,
      onFault: (f) => {
        const k = f.blockNumber ?? '?'
        const list = this.faultsByBlock.get(k) ?? []
        list.push(f)
        this.faultsByBlock.set(k, list)
        this.emit({ type: 'fault', fault: f })
      },
    })
    this.local = options.localExecutor ?? createInProcessExecutor(`${options.node.name}:local`)
    this.remote = new RemoteExecutor({
      node: options.node,
      collector: this.collector,
      timeoutMs: options.groupTimeoutMs ?? 10_000,
      localFallback: this.local,
      onAttempt: (a) => {
        const list = this.attempts.get(a.packageHash) ?? []
        list.push(a)
        this.attempts.set(a.packageHash, list)
      },
    })
  }

  /** The head block number (the chain's first number - 1 when empty). */
  head(): bigint {
    return this.store.head()?.number ?? this.chain.firstNumber - 1n
  }

  /** Restores the state from the chain store, serves the protocols and announces the head. */
  async start(): Promise<void> {
    if (this.started) return
    if (!this.node.isStarted) await this.node.start()
    await this.restore()
    this.collector.start()
    await this.remote.start()
    this.node.onPackage((env) => this.onPackage(env))
    this.node.setHealthProvider(() => ({ status: 'ok', info: { head: this.head().toString() } }))
    this.started = true
    void this.announce(this.head())
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.remote.stop()
    this.collector.stop()
    await this.running.catch(() => undefined)
  }

  /** Rebuilds the parent state: genesis plus every stored diff, checked against the head's root. */
  private async restore(): Promise<void> {
    const state = await merkleStateFrom(this.chain.genesis, this.chain.common)
    let last: StoredBlock | undefined
    for await (const b of this.store.blocks()) {
      await state.checkpoint()
      await applyStateDiff(state, b.stateDiff)
      await state.commit()
      last = b
    }
    if (last !== undefined) {
      const root = bytesToHex(await state.getStateRoot())
      const want = (last.header as { stateRoot?: string }).stateRoot
      if (root !== want) throw new RoleError('ROLE_BLOCK_FAILED', `restored state root ${root} differs from block ${last.number}'s ${String(want)}`)
      this.emit({ type: 'restored', head: last.number.toString() })
      this.log('restored head %s', last.number)
    }
    const { state: recorded, recorder } = recordWrites(state)
    this.state = recorded
    this.recorder = recorder
  }

  private onPackage(env: Envelope): void {
    const p = decodePackagePayload(env.payload)
    if (p.kind !== 'plan') throw new RoleError('ROLE_UNEXPECTED', `the committer takes plans, not ${p.kind}`)
    if (env.author.role !== 'construction') throw new RoleError('ROLE_UNEXPECTED', 'plans come from construction nodes')
    const n = BigInt(p.blockNumber)
    if (n <= this.head()) {
      // Construction missed our notice (or we restarted after committing): tell it again.
      void this.announce(n)
      return
    }
    if (this.plans.has(n)) return
    const plan = planFromJson(p.plan, this.chain.common)
    if (plan.env.number !== n) throw new RoleError('ROLE_UNEXPECTED', 'plan block number differs from its message')
    this.plans.set(n, { plan, at: Date.now() })
    this.running = this.running.then(() => this.drain())
  }

  /** Commits the queued plans that extend the head, in order. */
  private async drain(): Promise<void> {
    for (;;) {
      const next = this.head() + 1n
      const entry = this.plans.get(next)
      if (entry === undefined || !this.started) return
      try {
        await this.commitOne(entry.plan, entry.at)
        this.plans.delete(next)
      } catch (err) {
        this.log.error('block %s failed: %s', next, (err as ParadagError).code ?? (err as Error).message)
        this.plans.delete(next)
        // Whatever the pipeline left in the state is dropped: rebuild it from the store.
        await this.restore()
        return
      }
    }
  }

  private async commitOne(plan: BlockPlan, planAt: number): Promise<void> {
    const state = this.state!
    const n = plan.env.number
    const headHash = this.store.head()?.hash ?? GENESIS_HASH
    if (plan.env.parentHash.toLowerCase() !== headHash) {
      throw new RoleError('ROLE_BLOCK_FAILED', `plan of block ${n} has parent ${plan.env.parentHash}, head is ${headHash}`)
    }
    const reader = stateManagerReader(state)
    const t0 = Date.now()
    const results: GroupResult[] = await Promise.all(plan.packages.map((pkg) => this.remote.collect(pkg, { dispatchedTo: pkg.group, fallback: reader })))
    const lastResultAt = Date.now()
    await state.checkpoint()
    await applyPreBlockSystemWrites(state, plan.env, this.chain.common)
    const report = await commitBlock({ common: this.chain.common, plan, results, state, systemWritesApplied: true })
    await state.commit()
    const diff = await stateDiff(state, this.recorder!)
    const outcome = report.outcome
    const hashes = new Set(plan.packages.map((p) => p.id))
    const timeline: PackageTimeline[] = []
    let votes = 0
    let reassignments = 0
    let localExecutions = 0
    for (const [hash, list] of this.attempts) {
      const first = list[0]
      if (first === undefined || first.blockNumber !== n.toString() || !hashes.has(first.packageId)) continue
      const ok = list.find((a) => a.outcome === 'accepted')
      const pkg = plan.packages.find((p) => p.id === first.packageId)!
      const res = results.find((r) => r.packageId === first.packageId)!
      votes += ok?.accepted?.voters.length ?? 0
      reassignments += list.filter((a) => a.attempt > 0).length
      if (ok?.target === 'local') localExecutions++
      timeline.push({
        packageId: first.packageId,
        group: pkg.group,
        txs: pkg.txs.length,
        executedBy: ok?.target === 'local' ? 'local' : (ok?.accepted?.sequencer ?? res.executorId),
        startedAt: res.startedAt,
        finishedAt: res.finishedAt,
        acceptedAt: ok?.accepted?.acceptedAt ?? ok?.finishedAt ?? lastResultAt,
        attempts: list.map((a) => ({ target: a.target, outcome: a.outcome, ...(a.code !== undefined ? { code: a.code } : {}), startedAt: a.startedAt, finishedAt: a.finishedAt })),
      })
      this.attempts.delete(hash)
    }
    const faults = this.faultsByBlock.get(n.toString()) ?? []
    this.faultsByBlock.delete(n.toString())
    const blockReport: BlockReport = {
      blockNumber: n.toString(),
      blockHash: bytesToHex(outcome.blockHash),
      stateRoot: bytesToHex(outcome.stateRoot),
      txs: plan.txs.length + plan.excluded.length,
      included: outcome.included.length,
      excluded: outcome.excluded.length,
      gasUsed: outcome.gasUsed.toString(),
      packages: plan.packages.length,
      votes,
      reassignments,
      localExecutions,
      repaired: report.repaired,
      rounds: report.rounds,
      faults,
      planReceivedAt: planAt,
      lastResultAt,
      committedAt: 0,
      lastResultToCommitMs: 0,
      commitMs: 0,
      timeline,
    }
    const meta = { excluded: outcome.excluded.map((e) => ({ index: e.index, code: e.code })), report: JSON.parse(JSON.stringify(blockReport)) as JsonValue }
    const written = await this.store.putBlock(storedBlock(plan.env, outcome, diff, meta as JsonValue))
    blockReport.committedAt = Date.now()
    blockReport.lastResultToCommitMs = blockReport.committedAt - lastResultAt
    blockReport.commitMs = blockReport.committedAt - t0
    this.collector.prune(n)
    this.log('committed block %s (%s, %d txs, root %s)', n, written, blockReport.included, blockReport.stateRoot.slice(0, 12))
    this.emit({ type: 'committed', report: blockReport })
    await this.announce(n)
  }

  /** Sends the commit notice of block `n` (or of the empty chain) to every construction node. */
  private async announce(n: bigint): Promise<void> {
    let notice: CommitNotice
    if (n < this.chain.firstNumber) {
      notice = { kind: 'committed', blockNumber: n.toString(), blockHash: GENESIS_HASH, stateRoot: '0x', stateDiff: {} }
    } else {
      const b = await this.store.getBlock(n)
      if (b === undefined) return
      notice = { kind: 'committed', blockNumber: n.toString(), blockHash: b.hash, stateRoot: (b.header as { stateRoot: string }).stateRoot, stateDiff: b.stateDiff }
    }
    const payload = encodePackagePayload(notice)
    for (const m of this.node.membership.withRole('construction')) {
      for (let i = 0; i < 5; i++) {
        try {
          await this.node.sendPackage(m.name, { blockNumber: n < 0n ? 0n : n, payload })
          break
        } catch (err) {
          this.log('notice %s to %s: %s', n, m.name, (err as ParadagError).code ?? err)
          await new Promise((r) => setTimeout(r, 200 * (i + 1)))
        }
      }
    }
  }

  private emit(e: CommitterEvent): void {
    try {
      this.opts.onEvent?.(e)
    } catch {
      // reporting must not break committing
    }
  }
}
