/**
 * The construction role: for each block it predicts (speculative runs on its own replica of the
 * parent state), builds the DAG, partitions, and signs the round-1 work packages — it never
 * executes a package of the block it built. The plan goes to the committer, each package to
 * its group's sequencer and voters, with the committer as the collector and this node as the
 * source of keys outside the slices. It then waits for the committer's notice that the block is
 * committed and applies the notice's state diff to its replica. If the committer restarts
 * without the block (its notice names the parent) or stays silent, the plan and the packages
 * are sent again.
 */
import { createLogger, ParadagError } from '../../src/common/index.js'
import type { Logger } from '../../src/common/index.js'
import { createInProcessExecutor } from '../../src/group-exec/index.js'
import { planBlock } from '../../src/pipeline/index.js'
import type { BlockPlan, PipelineExecutor } from '../../src/pipeline/index.js'
import type { StateManagerInterface } from '@ethereumjs/common'
import { merkleStateFrom, stateManagerReader } from '../../src/state/index.js'
import type { Envelope, ParadagNode } from '../index.js'
import type { TestChain } from '../testnet/chain.js'
import { blockTxs, GENESIS_HASH } from '../testnet/chain.js'
import { applyStateDiff } from './chain-state.js'
import { RoleError } from './errors.js'
import { planToJson } from './plan-codec.js'
import { serveState } from './state-access.js'
import { decodePackagePayload, encodePackagePayload } from './wire.js'
import type { CommitNotice } from './wire.js'

export interface ConstructionOptions {
  node: ParadagNode
  chain: TestChain
  /** Name of the committer. */
  committer: string
  /** Groups to partition into (default: every execution group of the membership). */
  groups?: number
  /** Re-send the plan when no commit notice came within this time (ms). */
  commitTimeoutMs?: number
  /** Speculative executor (default in-process). */
  predictor?: PipelineExecutor
  logger?: Logger
  onEvent?: (e: ConstructionEvent) => void
}

/** What construction reports (testnet progress and timelines). */
export type ConstructionEvent =
  | { type: 'planned'; blockNumber: string; at: number; startedAt: number; packages: number; txs: number; planMs: number; idealSpeedup: number; fallbackReason?: string }
  | { type: 'dispatched'; blockNumber: string; at: number; attempt: number }
  | { type: 'committed'; blockNumber: string; at: number; blockHash: string; stateRoot: string }

/** A construction node's service. */
export class ConstructionService {
  private readonly node: ParadagNode
  private readonly chain: TestChain
  private readonly opts: ConstructionOptions
  private readonly log: Logger
  private replica!: StateManagerInterface
  private readonly predictor: PipelineExecutor
  /** The block being built (its number), if any. */
  private building: { number: bigint; plan: BlockPlan; resolve: (n: CommitNotice) => void; resend: () => void } | undefined
  private parentHash = GENESIS_HASH
  private nextNumber: bigint
  private started = false

  constructor(options: ConstructionOptions) {
    if (options.node.role !== 'construction') throw new RoleError('ROLE_BAD_CONFIG', `construction service on a ${options.node.role} node`)
    this.node = options.node
    this.chain = options.chain
    this.opts = options
    this.log = options.logger ?? createLogger('paradag:network:construction', options.node.name)
    this.predictor = options.predictor ?? (createInProcessExecutor(`${options.node.name}:predict`) as PipelineExecutor)
    this.nextNumber = options.chain.firstNumber
  }

  /** Number of the next block to build. */
  get next(): bigint {
    return this.nextNumber
  }

  /** Serves commit notices and state reads of the block being built. */
  async start(): Promise<void> {
    if (this.started) return
    if (!this.node.isStarted) await this.node.start()
    // A Merkle replica: predictions over it match the committer's parent state exactly.
    this.replica = await merkleStateFrom(this.chain.genesis, this.chain.common)
    this.node.onPackage((env) => this.onPackage(env))
    this.node.onStateRequest(
      serveState(
        (b) => (this.building?.number === b ? stateManagerReader(this.replica) : undefined),
        (b) => new RoleError('ROLE_NO_STATE', `${this.node.name} is not building block ${b}`, { details: { blockNumber: b.toString() } }),
      ),
    )
    this.node.setHealthProvider(() => ({ status: 'ok', info: { next: this.nextNumber.toString() } }))
    this.started = true
  }

  async stop(): Promise<void> {
    this.started = false
  }

  /** Builds every remaining block of the chain, one after the other. */
  async run(signal?: AbortSignal): Promise<void> {
    while (this.started && blockTxs(this.chain, this.nextNumber) !== undefined) {
      signal?.throwIfAborted()
      await this.buildNext(signal)
    }
  }

  /** Plans, dispatches and waits for the commit of the next block; returns its commit notice. */
  async buildNext(signal?: AbortSignal): Promise<CommitNotice> {
    const number = this.nextNumber
    const raws = blockTxs(this.chain, number)
    if (raws === undefined) throw new RoleError('ROLE_BLOCK_FAILED', `block ${number} is past the end of the chain`)
    const startedAt = Date.now()
    const env = this.chain.envFor(number, this.parentHash)
    const plan = await planBlock({
      common: this.chain.common,
      chain: this.chain.chain,
      env,
      state: this.replica,
      raws,
      executor: this.predictor,
      groups: this.opts.groups ?? Math.max(1, this.node.membership.groupIds().length),
      sliceMode: 'full',
      forceParallel: true,
    })
    const ev: ConstructionEvent = {
      type: 'planned',
      blockNumber: number.toString(),
      at: Date.now(),
      startedAt,
      packages: plan.packages.length,
      txs: raws.length,
      planMs: Date.now() - startedAt,
      idealSpeedup: plan.idealSpeedup,
    }
    if (plan.fallbackReason !== undefined) ev.fallbackReason = plan.fallbackReason
    this.emit(ev)
    const notice = await new Promise<CommitNotice>((resolve, reject) => {
      let attempt = 0
      let timer: NodeJS.Timeout | undefined
      const onAbort = (): void => {
        clearTimeout(timer)
        this.building = undefined
        reject(new RoleError('ROLE_STOPPED', 'construction aborted'))
      }
      const resend = (): void => {
        clearTimeout(timer)
        void this.dispatch(plan, attempt++).finally(() => {
          if (this.building?.number !== number) return
          timer = setTimeout(resend, this.opts.commitTimeoutMs ?? 30_000)
          timer.unref?.()
        })
      }
      this.building = {
        number,
        plan,
        resolve: (n) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          resolve(n)
        },
        resend,
      }
      signal?.addEventListener('abort', onAbort)
      resend()
    })
    return notice
  }

  /** Sends the plan to the committer and every package to its group; retries until they take it. */
  private async dispatch(plan: BlockPlan, attempt: number): Promise<void> {
    const blockNumber = plan.env.number
    const groups = this.node.membership.groups()
    const planPayload = encodePackagePayload({ kind: 'plan', blockNumber: blockNumber.toString(), plan: planToJson(plan) })
    const sends: Promise<unknown>[] = []
    for (const pkg of plan.packages) {
      const g = groups.find((x) => x.group === pkg.group) ?? groups[((pkg.group % groups.length) + groups.length) % groups.length]
      if (g === undefined) continue
      const payload = encodePackagePayload({ kind: 'work', pkg: g.group === pkg.group ? pkg : { ...pkg, group: g.group }, replyTo: this.opts.committer, stateFrom: this.node.name })
      for (const m of [g.sequencer, ...g.voters]) {
        sends.push(this.node.sendPackage(m.name, { blockNumber, payload }).catch((err: unknown) => this.log('package %s to %s: %s', pkg.id, m.name, (err as ParadagError).code ?? err)))
      }
    }
    // The plan goes last so that the groups are already at work when the committer starts waiting.
    await Promise.all(sends)
    for (let i = 0; this.building?.number === blockNumber; i++) {
      try {
        await this.node.sendPackage(this.opts.committer, { blockNumber, payload: planPayload }, { timeoutMs: 15_000 })
        break
      } catch (err) {
        this.log('plan %s to %s: %s (retrying)', blockNumber, this.opts.committer, (err as ParadagError).code ?? err)
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)))
      }
    }
    this.emit({ type: 'dispatched', blockNumber: blockNumber.toString(), at: Date.now(), attempt })
  }

  private onPackage(env: Envelope): void {
    const p = decodePackagePayload(env.payload)
    if (p.kind !== 'committed') throw new RoleError('ROLE_UNEXPECTED', `construction takes commit notices, not ${p.kind}`)
    if (env.author.role !== 'committer') throw new RoleError('ROLE_UNEXPECTED', 'commit notices come from the committer')
    const n = BigInt(p.blockNumber)
    const b = this.building
    if (b !== undefined && n === b.number) {
      this.building = undefined
      void this.applyNotice(p).then(() => b.resolve(p))
      return
    }
    if (b !== undefined && n === b.number - 1n) {
      // The committer restarted without our block: send it again.
      this.log('committer is at %s, re-sending block %s', n, b.number)
      b.resend()
      return
    }
    this.log('ignoring commit notice for block %s (building %s)', n, b?.number ?? '-')
  }

  private async applyNotice(n: CommitNotice): Promise<void> {
    await this.replica.checkpoint()
    await applyStateDiff(this.replica, n.stateDiff)
    await this.replica.commit()
    this.parentHash = n.blockHash
    this.nextNumber = BigInt(n.blockNumber) + 1n
    this.emit({ type: 'committed', blockNumber: n.blockNumber, at: Date.now(), blockHash: n.blockHash, stateRoot: n.stateRoot })
  }

  private emit(e: ConstructionEvent): void {
    try {
      this.opts.onEvent?.(e)
    } catch {
      // reporting must not break construction
    }
  }
}
