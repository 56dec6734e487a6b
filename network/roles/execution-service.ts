/**
 * The execution roles: a sequencer executes each package it is sent and returns the result; a
 * voter re-executes it independently and returns its signed vote (result hash, package hash,
 * block number). Packages are acknowledged at once and executed one at a time in arrival
 * order; a package seen before is answered from a small cache. Keys outside the slice are read
 * over the state protocol; if any such read fails the node reports a failure instead of a
 * result (a lost read must never turn into a different, excluded transaction).
 *
 * For fault-injection runs a node can be made Byzantine (a wrong result or vote, a forged
 * signature, or two different answers) or slow (a delay before answering).
 */
import { createLogger, ParadagError, serializeError } from '../../src/common/index.js'
import type { Logger } from '../../src/common/index.js'
import { createInProcessExecutor } from '../../src/group-exec/index.js'
import type { Executor, GroupResult, WorkPackage } from '../../src/group-exec/index.js'
import type { StateReader } from '../../src/state/index.js'
import { ENVELOPE } from '../constants.js'
import type { Envelope, ParadagNode } from '../index.js'
import { encodeVote } from '../payloads.js'
import { RoleError } from './errors.js'
import { remoteStateReader } from './state-access.js'
import { decodePackagePayload, encodeResultPayload, hashHex, packageHash, resultHash } from './wire.js'
import type { ResultPayload, WorkMessage } from './wire.js'

/** How a Byzantine execution node misbehaves. */
export const BYZANTINE_MODES = ['wrong-result', 'bad-signature', 'equivocation'] as const
export type ByzantineMode = (typeof BYZANTINE_MODES)[number]

/** What an execution node reports about its work (testnet timelines and kill points). */
export interface ExecutionEvent {
  type: 'package-received' | 'executed' | 'answered'
  node: string
  packageId: string
  blockNumber: string
  group: number
  at: number
  startedAt?: number
  finishedAt?: number
  code?: string
}

export interface ExecutionServiceOptions {
  /** A sequencer or voter node. */
  node: ParadagNode
  /** Runs the packages (default: in-process). */
  executor?: Executor
  byzantine?: ByzantineMode
  /** Wait this long before answering each package (ms). */
  delayMs?: number
  /** Timeout of each state read (ms). */
  stateTimeoutMs?: number
  logger?: Logger
  onEvent?: (e: ExecutionEvent) => void
}

const CACHE_SIZE = 64

/** A sequencer or voter service. */
export class ExecutionService {
  private readonly node: ParadagNode
  private readonly executor: Executor
  private readonly log: Logger
  private readonly opts: ExecutionServiceOptions
  private readonly cache = new Map<string, { result?: GroupResult; error?: ParadagError }>()
  private queue: Promise<void> = Promise.resolve()
  private started = false
  private executed = 0

  constructor(options: ExecutionServiceOptions) {
    if (options.node.role !== 'sequencer' && options.node.role !== 'voter') {
      throw new RoleError('ROLE_BAD_CONFIG', `an execution service needs a sequencer or voter node, not a ${options.node.role}`)
    }
    this.node = options.node
    this.opts = options
    this.executor = options.executor ?? createInProcessExecutor(options.node.name)
    this.log = options.logger ?? createLogger(`paradag:network:${options.node.role}`, options.node.name)
  }

  /** Packages executed so far. */
  get executedCount(): number {
    return this.executed
  }

  /** Serves the package protocol. */
  async start(): Promise<void> {
    if (this.started) return
    if (!this.node.isStarted) await this.node.start()
    this.node.onPackage((env) => this.onPackage(env))
    this.node.setHealthProvider(() => ({ status: 'ok', info: { executed: this.executed } }))
    this.started = true
  }

  /** Stops accepting packages and waits for the one running. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.node.onPackage(() => {
      throw new RoleError('ROLE_STOPPED', `${this.node.name} is stopping`)
    })
    await this.queue.catch(() => undefined)
  }

  private onPackage(env: Envelope): void {
    const payload = decodePackagePayload(env.payload)
    if (payload.kind !== 'work') throw new RoleError('ROLE_UNEXPECTED', `${this.node.role} ${this.node.name} takes work packages, not ${payload.kind}`)
    if (BigInt(payload.pkg.blockNumber) !== env.blockNumber) throw new RoleError('ROLE_UNEXPECTED', 'package block number differs from the envelope')
    if (this.node.membership.byName(payload.replyTo) === undefined) throw new RoleError('ROLE_UNEXPECTED', `replyTo ${payload.replyTo} is not a member`)
    this.emit({ type: 'package-received', pkg: payload.pkg })
    // Acknowledge now; execute in order after whatever is running.
    this.queue = this.queue.then(() => this.handle(payload)).catch((err: unknown) => this.log.error('package %s: %s', payload.pkg.id, (err as Error).message))
  }

  private async handle(msg: WorkMessage): Promise<void> {
    const pkg = msg.pkg
    const hash = hashHex(packageHash(pkg))
    let done = this.cache.get(hash)
    if (done === undefined) {
      done = await this.run(msg)
      this.cache.set(hash, done)
      while (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string)
    }
    const delay = this.opts.delayMs ?? 0
    if (delay > 0) await new Promise((r) => setTimeout(r, delay))
    if (!this.started) return
    await this.answer(msg, hash, done)
  }

  private async run(msg: WorkMessage): Promise<{ result?: GroupResult; error?: ParadagError }> {
    const pkg = msg.pkg
    let readFailure: ParadagError | undefined
    let fallback: StateReader | undefined
    if (msg.stateFrom !== null) {
      const remote = remoteStateReader(this.node, msg.stateFrom, BigInt(pkg.blockNumber), { timeoutMs: this.opts.stateTimeoutMs ?? 10_000 })
      const guard = <T>(p: Promise<T>): Promise<T> =>
        p.catch((err: unknown) => {
          readFailure ??= err instanceof ParadagError ? err : new RoleError('ROLE_NO_STATE', String(err), { cause: err })
          throw err
        })
      fallback = {
        getAccount: (a) => guard(remote.getAccount(a)),
        getCode: (a, h) => guard(remote.getCode(a, h)),
        getStorage: (a, s) => guard(remote.getStorage(a, s)),
      }
    }
    try {
      const result = await this.executor.execute(pkg, fallback === undefined ? {} : { fallback })
      this.executed++
      this.emit({ type: 'executed', pkg, startedAt: result.startedAt, finishedAt: result.finishedAt })
      if (readFailure !== undefined) return { error: readFailure }
      return { result: { ...result, executorId: this.node.name } }
    } catch (err) {
      const e = readFailure ?? (err instanceof ParadagError ? err : new RoleError('ROLE_REMOTE_FAILED', (err as Error).message, { cause: err }))
      this.emit({ type: 'executed', pkg, code: e.code })
      return { error: e }
    }
  }

  private async answer(msg: WorkMessage, hash: string, done: { result?: GroupResult; error?: ParadagError }): Promise<void> {
    const blockNumber = BigInt(msg.pkg.blockNumber)
    const mode = this.opts.byzantine
    try {
      if (this.node.role === 'sequencer') {
        const payload: ResultPayload =
          done.result !== undefined ? { kind: 'result', packageHash: hash, result: done.result } : { kind: 'failed', packageHash: hash, error: serializeError(done.error) }
        if (done.result === undefined || mode === undefined) {
          await this.node.sendResult(msg.replyTo, { blockNumber, payload: encodeResultPayload(payload) })
        } else if (mode === 'wrong-result') {
          await this.node.sendResult(msg.replyTo, { blockNumber, payload: encodeResultPayload({ ...payload, result: tamper(done.result) } as ResultPayload) })
        } else if (mode === 'bad-signature') {
          await this.sendForged(msg.replyTo, 'result', { type: 'result', blockNumber, payload: encodeResultPayload(payload) })
        } else {
          const wrong = encodeResultPayload({ ...payload, result: tamper(done.result) } as ResultPayload)
          await Promise.all([
            this.node.sendResult(msg.replyTo, { blockNumber, payload: wrong }),
            this.node.sendResult(msg.replyTo, { blockNumber, payload: encodeResultPayload(payload) }),
          ])
        }
      } else {
        // A voter that could not execute stays silent: its missing vote counts against the quorum.
        if (done.result === undefined) return
        const vote = { resultHash: resultHash(done.result), packageHash: hexBytes(hash), blockNumber }
        if (mode === undefined) await this.node.sendVote(msg.replyTo, vote)
        else if (mode === 'wrong-result') await this.node.sendVote(msg.replyTo, { ...vote, resultHash: resultHash(tamper(done.result)) })
        else if (mode === 'bad-signature') await this.sendForged(msg.replyTo, 'vote', { type: 'vote', blockNumber, payload: encodeVote(vote) })
        else {
          await Promise.all([this.node.sendVote(msg.replyTo, vote), this.node.sendVote(msg.replyTo, { ...vote, resultHash: resultHash(tamper(done.result)) })])
        }
      }
      this.emit({ type: 'answered', pkg: msg.pkg })
    } catch (err) {
      this.log.error('could not answer package %s to %s: %s', msg.pkg.id, msg.replyTo, (err as ParadagError).code ?? (err as Error).message)
    }
  }

  /** Sends an envelope whose signature was tampered with (Byzantine mode 'bad-signature'). */
  private async sendForged(to: string, protocol: 'result' | 'vote', fields: { type: 'result' | 'vote'; blockNumber: bigint; payload: Uint8Array }): Promise<void> {
    const frame = await this.node.signer.encode(fields)
    const at = frame.length - ENVELOPE.signatureBytes
    frame[at] = (frame[at] ?? 0) ^ 0xff
    await this.node.requestRaw(to, protocol, frame).catch(() => undefined)
  }

  private emit(e: { type: ExecutionEvent['type']; pkg: WorkPackage; startedAt?: number; finishedAt?: number; code?: string }): void {
    if (this.opts.onEvent === undefined) return
    const ev: ExecutionEvent = { type: e.type, node: this.node.name, packageId: e.pkg.id, blockNumber: e.pkg.blockNumber, group: e.pkg.group, at: Date.now() }
    if (e.startedAt !== undefined) ev.startedAt = e.startedAt
    if (e.finishedAt !== undefined) ev.finishedAt = e.finishedAt
    if (e.code !== undefined) ev.code = e.code
    try {
      this.opts.onEvent(ev)
    } catch {
      // reporting must not break execution
    }
  }
}

/** A plausible but wrong result: one more unit of gas on the first receipt (or a flipped status). */
export function tamper(r: GroupResult): GroupResult {
  const results = r.results.map((t) => ({ ...t }))
  const first = results.find((t) => t.receipt !== undefined)
  if (first?.receipt !== undefined) first.receipt = { ...first.receipt, gasUsed: (BigInt(first.receipt.gasUsed) + 1n).toString() }
  else if (results[0] !== undefined) results[0] = { ...results[0], misses: [...results[0].misses, 'b:0x000000000000000000000000000000000000dead'] }
  return { ...r, results }
}

function hexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'))
}
