/**
 * The remote executor: an `Executor` whose packages run on execution groups over libp2p. A
 * package goes, signed by this node, to one group's sequencer and voters; the sequencer sends
 * its result here and each voter, having re-executed the package independently, sends its
 * signed vote. The result is accepted only with matching votes from ⌈2V/3⌉ of the group's
 * member voters (see roles/quorum.ts). On a timeout, a disagreement, an equivocation or a
 * forged message the package is reassigned to the next group (groups caught misbehaving go
 * last), and when every group has failed it runs on the local fallback executor, if any.
 * Keys outside a package's slice are served by this node over the state protocol, from the
 * `fallback` reader given to `execute`.
 */
import './polyfill.js'
import { createLogger, ParadagError } from '../src/common/index.js'
import type { Logger } from '../src/common/index.js'
import { GroupExecError } from '../src/group-exec/index.js'
import type { ExecuteOptions, Executor, GroupResult, WorkPackage } from '../src/group-exec/index.js'
import type { StateReader } from '../src/state/index.js'
import type { ExecutionGroup, ParadagNode } from './index.js'
import { ResultCollector } from './roles/collector.js'
import type { AcceptedResult } from './roles/collector.js'
import { RoleError } from './roles/errors.js'
import { quorumSize } from './roles/quorum.js'
import { serveState } from './roles/state-access.js'
import { encodePackagePayload, hashHex, packageHash } from './roles/wire.js'

/** Default time a group has to reach a quorum on one package (ms). */
export const DEFAULT_GROUP_TIMEOUT_MS = 10_000

export interface RemoteExecutorOptions {
  /** A started node allowed to author packages (a committer or construction node). */
  node: ParadagNode
  /** A shared collector already serving this node (default: one of its own, started here). */
  collector?: ResultCollector
  /** Time a group has to reach a quorum on a package (ms). */
  timeoutMs?: number
  /** Groups tried before the local fallback (default: every group). */
  maxAttempts?: number
  /** Runs a package itself when every group failed. */
  localFallback?: Executor
  /** Serve state requests from the `fallback` readers of running packages (default true). */
  serveState?: boolean
  logger?: Logger
  id?: string
  /** Reports each attempt (for reassignment counts and timelines). */
  onAttempt?: (event: AttemptEvent) => void
}

/** One try of one package on one group (or locally). */
export interface AttemptEvent {
  packageId: string
  packageHash: string
  blockNumber: string
  /** Group tried, or 'local'. */
  target: number | 'local'
  attempt: number
  outcome: 'accepted' | 'failed'
  code?: string
  startedAt: number
  finishedAt: number
  accepted?: AcceptedResult
}

export interface CollectOptions extends ExecuteOptions {
  /** The group the package was already sent to (by a construction node): wait for it first. */
  dispatchedTo?: number
}

/** Executes packages on remote execution groups with quorum voting and reassignment. */
export class RemoteExecutor implements Executor {
  readonly id: string
  readonly node: ParadagNode
  readonly collector: ResultCollector
  private readonly ownsCollector: boolean
  private readonly timeoutMs: number
  private readonly maxAttempts: number
  private readonly localFallback: Executor | undefined
  private readonly log: Logger
  private readonly onAttempt: ((e: AttemptEvent) => void) | undefined
  private readonly serving: boolean
  private readonly readers = new Map<bigint, { reader: StateReader; refs: number }>()
  private started = false
  private counters = { attempts: 0, reassignments: 0, local: 0 }

  constructor(options: RemoteExecutorOptions) {
    this.node = options.node
    this.id = options.id ?? `remote@${options.node.name}`
    this.ownsCollector = options.collector === undefined
    this.collector = options.collector ?? new ResultCollector({ node: options.node })
    this.timeoutMs = options.timeoutMs ?? DEFAULT_GROUP_TIMEOUT_MS
    this.maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY
    this.localFallback = options.localFallback
    this.log = options.logger ?? createLogger('paradag:network:remote', options.node.name)
    this.onAttempt = options.onAttempt
    this.serving = options.serveState ?? true
  }

  /** Number of execution groups (what the pipeline partitions into). */
  get size(): number {
    return this.node.membership.groupIds().length
  }

  /** Attempts, reassignments and local executions so far. */
  stats(): { attempts: number; reassignments: number; local: number } {
    return { ...this.counters }
  }

  /** Installs the result, vote (when it owns the collector) and state handlers. */
  async start(): Promise<void> {
    if (this.started) return
    if (!this.node.isStarted) await this.node.start()
    if (this.ownsCollector) this.collector.start()
    if (this.serving) {
      this.node.onStateRequest(
        serveState(
          (b) => this.readers.get(b)?.reader,
          (b) => new GroupExecError('EXEC_NO_FALLBACK', `${this.node.name} holds no state for block ${b}`, { details: { blockNumber: b.toString() } }),
        ),
      )
    }
    this.started = true
  }

  /** Fails what is waiting (the node itself is stopped by its owner). */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    if (this.ownsCollector) this.collector.stop()
  }

  /** Executes a package on the groups (starting with `pkg.group`), reassigning on failure. */
  execute(pkg: WorkPackage, options: ExecuteOptions = {}): Promise<GroupResult> {
    return this.collect(pkg, options)
  }

  /**
   * Like `execute`, but when `dispatchedTo` is set the package is already on that group (sent
   * by a construction node): its quorum is awaited first, and only a failure reassigns.
   */
  async collect(pkg: WorkPackage, options: CollectOptions = {}): Promise<GroupResult> {
    if (!this.started) throw new RoleError('ROLE_STOPPED', `remote executor ${this.id} is not started`)
    options.signal?.throwIfAborted()
    const hash = hashHex(packageHash(pkg))
    const blockNumber = BigInt(pkg.blockNumber)
    const fallback = options.fallback
    if (fallback !== undefined) this.holdReader(blockNumber, fallback)
    try {
      const order = this.order(pkg.group, options.dispatchedTo)
      let lastError: ParadagError | undefined
      const attempts = Math.min(order.length, this.maxAttempts)
      for (let i = 0; i < attempts; i++) {
        const g = order[i]!
        const startedAt = Date.now()
        this.counters.attempts++
        if (i > 0) this.counters.reassignments++
        try {
          if (!(i === 0 && options.dispatchedTo === g.group)) await this.dispatch(pkg, g, fallback !== undefined, blockNumber)
          const waitOpts = { groups: [g.group], blockNumber, timeoutMs: this.timeoutMs, packageId: pkg.id, ...(options.signal !== undefined ? { signal: options.signal } : {}) }
          const acc = await this.collector.wait(hash, waitOpts)
          this.report({ pkg, hash, target: g.group, attempt: i, outcome: 'accepted', startedAt, accepted: acc })
          return acc.result
        } catch (err) {
          if (options.signal?.aborted === true) throw new GroupExecError('EXEC_ABORTED', `package ${pkg.id} aborted`, { cause: err })
          lastError = err instanceof ParadagError ? err : new RoleError('ROLE_REMOTE_FAILED', String(err), { cause: err })
          this.log('package %s on group %d failed: %s', pkg.id, g.group, lastError.code)
          this.report({ pkg, hash, target: g.group, attempt: i, outcome: 'failed', code: lastError.code, startedAt })
        }
      }
      if (this.localFallback !== undefined) {
        const startedAt = Date.now()
        this.counters.local++
        if (attempts > 0) this.counters.reassignments++
        try {
          const r = await this.localFallback.execute(pkg, options)
          this.report({ pkg, hash, target: 'local', attempt: attempts, outcome: 'accepted', startedAt })
          return r
        } catch (err) {
          this.report({ pkg, hash, target: 'local', attempt: attempts, outcome: 'failed', code: (err as ParadagError).code ?? 'INTERNAL', startedAt })
          throw err
        }
      }
      throw lastError ?? new RoleError('ROLE_NO_GROUP', 'no execution group is configured')
    } finally {
      if (fallback !== undefined) this.releaseReader(blockNumber)
    }
  }

  /** Groups in trying order: the dispatched or preferred one first, suspects last. */
  private order(preferred: number, dispatchedTo: number | undefined): ExecutionGroup[] {
    const groups = this.node.membership.groups()
    if (groups.length === 0) return []
    const suspects = this.collector.suspectGroups()
    const start = groups.findIndex((g) => g.group === (dispatchedTo ?? preferred))
    const rotated = start < 0 ? rotate(groups, ((preferred % groups.length) + groups.length) % groups.length) : rotate(groups, start)
    const first = dispatchedTo === undefined ? undefined : rotated[0]
    const rest = (first === undefined ? rotated : rotated.slice(1)).slice().sort((a, b) => Number(suspects.has(a.group)) - Number(suspects.has(b.group)))
    return first === undefined ? rest : [first, ...rest]
  }

  /** Sends the package to the group's sequencer and voters; fails fast when the quorum is unreachable. */
  private async dispatch(pkg: WorkPackage, g: ExecutionGroup, withState: boolean, blockNumber: bigint): Promise<void> {
    const payload = encodePackagePayload({ kind: 'work', pkg, replyTo: this.node.name, stateFrom: withState ? this.node.name : null })
    const msg = { blockNumber, payload }
    const timeoutMs = Math.min(this.timeoutMs, 10_000)
    const sends = [g.sequencer, ...g.voters].map((m) =>
      this.node.sendPackage(m.name, msg, { timeoutMs }).then(
        () => null,
        (err: unknown) => err as Error,
      ),
    )
    const errors = await Promise.all(sends)
    const seqErr = errors[0]
    if (seqErr !== null && seqErr !== undefined) throw seqErr instanceof ParadagError ? seqErr : new RoleError('ROLE_REMOTE_FAILED', seqErr.message, { cause: seqErr })
    const reached = errors.slice(1).filter((e) => e === null).length
    if (reached < quorumSize(g.voters.length)) {
      throw new RoleError('ROLE_REMOTE_FAILED', `only ${reached} of ${g.voters.length} voters of group ${g.group} took the package`, {
        details: { group: g.group, reached, voters: g.voters.length },
      })
    }
  }

  private report(a: { pkg: WorkPackage; hash: string; target: number | 'local'; attempt: number; outcome: 'accepted' | 'failed'; code?: string; startedAt: number; accepted?: AcceptedResult }): void {
    if (this.onAttempt === undefined) return
    const e: AttemptEvent = {
      packageId: a.pkg.id,
      packageHash: a.hash,
      blockNumber: a.pkg.blockNumber,
      target: a.target,
      attempt: a.attempt,
      outcome: a.outcome,
      startedAt: a.startedAt,
      finishedAt: Date.now(),
    }
    if (a.code !== undefined) e.code = a.code
    if (a.accepted !== undefined) e.accepted = a.accepted
    try {
      this.onAttempt(e)
    } catch {
      // reporting must not break execution
    }
  }

  private holdReader(blockNumber: bigint, reader: StateReader): void {
    const h = this.readers.get(blockNumber)
    if (h === undefined) this.readers.set(blockNumber, { reader, refs: 1 })
    else {
      h.reader = reader
      h.refs++
    }
  }

  private releaseReader(blockNumber: bigint): void {
    const h = this.readers.get(blockNumber)
    if (h === undefined) return
    if (--h.refs <= 0) this.readers.delete(blockNumber)
  }
}

function rotate<T>(xs: readonly T[], k: number): T[] {
  return [...xs.slice(k), ...xs.slice(0, k)]
}
