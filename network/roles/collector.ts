/**
 * The result collector of a committer (or of any node that dispatches packages): it serves the
 * result and vote protocols, tallies per (package hash, group) what the sequencer and the
 * voters said, applies the quorum rule, records every fault it detects (wrong result,
 * disagreement, equivocation, forged signature, timeout, failure), and wakes whoever waits for
 * a package. Results and votes may arrive before anyone waits for them; they are kept until the
 * block is pruned.
 */
import { createLogger, deserializeError, ParadagError } from '../../src/common/index.js'
import type { Logger, SerializedError } from '../../src/common/index.js'
import type { GroupResult } from '../../src/group-exec/index.js'
import type { Envelope, Membership, ParadagNode, RejectionEvent, Vote } from '../index.js'
import { RoleError } from './errors.js'
import { decide, type Decision } from './quorum.js'
import { checkResult, decodeResultPayload, hashHex, resultHash } from './wire.js'

export type FaultKind = 'wrong-result' | 'wrong-vote' | 'bad-signature' | 'equivocation' | 'timeout' | 'disagreement' | 'failed'

/** A fault the collector detected. */
export interface Fault {
  kind: FaultKind
  /** Member name of the node at fault (or that stayed silent). */
  node: string
  group?: number
  blockNumber?: string
  packageHash?: string
  at: number
  detail?: string
}

/** A result accepted by quorum. */
export interface AcceptedResult {
  result: GroupResult
  resultHash: string
  group: number
  sequencer: string
  voters: string[]
  /** When the quorum was reached (local clock, ms). */
  acceptedAt: number
  /** When the sequencer's result arrived (local clock, ms). */
  resultAt: number
}

export interface AwaitOptions {
  /** Groups whose quorum may answer (any of them). */
  groups: readonly number[]
  blockNumber: bigint
  timeoutMs: number
  /** The package id the result must carry. */
  packageId?: string
  signal?: AbortSignal
}

interface GroupTally {
  result?: { hash: string; result: GroupResult; at: number }
  resultEquivocated: boolean
  failure?: SerializedError
  sequencerLost: boolean
  votes: Map<string, string>
  badVoters: Set<string>
  decision?: Decision
}

interface Waiter {
  pending: Set<number>
  packageId: string | undefined
  resolve: (r: AcceptedResult) => void
  reject: (e: ParadagError) => void
  lastError?: ParadagError
}

interface Entry {
  blockNumber: bigint
  groups: Map<number, GroupTally>
  waiters: Set<Waiter>
  accepted?: AcceptedResult
}

export interface ResultCollectorOptions {
  node: ParadagNode
  logger?: Logger
  now?: () => number
  /** Called for every detected fault (reports, IPC). */
  onFault?: (fault: Fault) => void
}

/** Collects results and votes and decides by quorum. */
export class ResultCollector {
  private readonly node: ParadagNode
  private readonly membership: Membership
  private readonly log: Logger
  private readonly now: () => number
  private readonly entries = new Map<string, Entry>()
  private readonly faultList: Fault[] = []
  private readonly suspectNodes = new Set<string>()
  private unsubscribe: (() => void) | undefined
  private readonly onFault: ((f: Fault) => void) | undefined

  constructor(options: ResultCollectorOptions) {
    this.node = options.node
    this.membership = options.node.membership
    this.log = options.logger ?? createLogger('paradag:network:collector', options.node.name)
    this.now = options.now ?? Date.now
    this.onFault = options.onFault
  }

  /** Serves the result and vote protocols on the node. */
  start(): void {
    this.node.onResult((env) => this.onResult(env))
    this.node.onVote((vote, env) => this.onVote(vote, env))
    this.unsubscribe = this.node.onRejected((e) => this.onRejected(e))
  }

  /** Stops listening for rejections and fails every waiter. */
  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    for (const e of this.entries.values()) {
      for (const w of e.waiters) w.reject(new RoleError('ROLE_STOPPED', 'result collector stopped'))
      e.waiters.clear()
    }
  }

  /** Every fault detected so far. */
  faults(): Fault[] {
    return [...this.faultList]
  }

  /** Groups whose sequencer or a voter was caught misbehaving (avoided when reassigning). */
  suspectGroups(): Set<number> {
    const out = new Set<number>()
    for (const name of this.suspectNodes) {
      const g = this.membership.byName(name)?.group
      if (g !== undefined) out.add(g)
    }
    return out
  }

  /** Forgets tallies of blocks below `blockNumber`. */
  prune(blockNumber: bigint): void {
    for (const [k, e] of this.entries) if (e.blockNumber < blockNumber && e.waiters.size === 0) this.entries.delete(k)
  }

  /**
   * Waits until one of `groups` reaches a quorum on the package, and returns its result.
   * Rejects with the last group's reason once every group is rejected, or ROLE_QUORUM_TIMEOUT.
   */
  wait(packageHash: string, opts: AwaitOptions): Promise<AcceptedResult> {
    const entry = this.entry(packageHash, opts.blockNumber)
    if (entry.accepted !== undefined && opts.groups.includes(entry.accepted.group)) return Promise.resolve(entry.accepted)
    return new Promise<AcceptedResult>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const finish = (): void => {
        if (timer !== undefined) clearTimeout(timer)
        entry.waiters.delete(w)
        opts.signal?.removeEventListener('abort', onAbort)
      }
      const w: Waiter = {
        pending: new Set(opts.groups),
        packageId: opts.packageId,
        resolve: (r) => {
          finish()
          resolve(r)
        },
        reject: (e) => {
          finish()
          reject(e)
        },
      }
      const onAbort = (): void => w.reject(new RoleError('ROLE_STOPPED', 'wait aborted', { cause: opts.signal?.reason }))
      opts.signal?.addEventListener('abort', onAbort)
      timer = setTimeout(() => {
        for (const g of w.pending) this.timeoutFault(packageHash, entry, g)
        w.reject(
          new RoleError('ROLE_QUORUM_TIMEOUT', `no quorum for package ${packageHash.slice(0, 10)} from group ${[...w.pending].join(',')} within ${opts.timeoutMs} ms`, {
            details: { packageHash, groups: [...w.pending], timeoutMs: opts.timeoutMs },
          }),
        )
      }, opts.timeoutMs)
      timer.unref?.()
      entry.waiters.add(w)
      for (const g of opts.groups) this.evaluate(packageHash, entry, g)
    })
  }

  private entry(packageHash: string, blockNumber: bigint): Entry {
    let e = this.entries.get(packageHash)
    if (e === undefined) {
      e = { blockNumber, groups: new Map(), waiters: new Set() }
      this.entries.set(packageHash, e)
    }
    return e
  }

  private tally(e: Entry, group: number): GroupTally {
    let t = e.groups.get(group)
    if (t === undefined) {
      t = { resultEquivocated: false, sequencerLost: false, votes: new Map(), badVoters: new Set() }
      e.groups.set(group, t)
    }
    return t
  }

  private fault(f: Omit<Fault, 'at'>): void {
    const full: Fault = { ...f, at: this.now() }
    this.faultList.push(full)
    if (f.kind !== 'timeout' && f.kind !== 'failed') this.suspectNodes.add(f.node)
    this.log.error('fault: %s by %s (group %s, block %s)%s', f.kind, f.node, f.group ?? '-', f.blockNumber ?? '-', f.detail === undefined ? '' : `: ${f.detail}`)
    try {
      this.onFault?.(full)
    } catch {
      // reporting must not break collection
    }
  }

  private onResult(env: Envelope): void {
    const payload = decodeResultPayload(env.payload)
    const group = env.author.group
    if (group === undefined) throw new RoleError('ROLE_UNEXPECTED', 'result from a node without a group')
    const e = this.entry(payload.packageHash, env.blockNumber)
    const t = this.tally(e, group)
    const base = { node: env.author.name, group, blockNumber: env.blockNumber.toString(), packageHash: payload.packageHash }
    if (payload.kind === 'failed') {
      if (t.failure === undefined && t.result === undefined) {
        t.failure = payload.error
        this.fault({ ...base, kind: 'failed', detail: `${payload.error.code}: ${payload.error.message}` })
      }
    } else {
      checkResult(payload.result)
      const hash = hashHex(resultHash(payload.result))
      if (t.result === undefined && t.failure === undefined) t.result = { hash, result: payload.result, at: this.now() }
      else if (t.result !== undefined && t.result.hash !== hash && !t.resultEquivocated) {
        t.resultEquivocated = true
        this.fault({ ...base, kind: 'equivocation', detail: 'two different results for one package' })
      }
    }
    this.evaluate(payload.packageHash, e, group)
  }

  private onVote(vote: Vote, env: Envelope): void {
    const group = env.author.group
    if (group === undefined) throw new RoleError('ROLE_UNEXPECTED', 'vote from a node without a group')
    const packageHash = hashHex(vote.packageHash)
    const hash = hashHex(vote.resultHash)
    const e = this.entry(packageHash, vote.blockNumber)
    const t = this.tally(e, group)
    const prev = t.votes.get(env.author.name)
    if (prev === undefined) t.votes.set(env.author.name, hash)
    else if (prev !== hash && !t.badVoters.has(env.author.name)) {
      t.badVoters.add(env.author.name)
      this.fault({ node: env.author.name, group, blockNumber: vote.blockNumber.toString(), packageHash, kind: 'equivocation', detail: 'two different votes for one package' })
    }
    this.evaluate(packageHash, e, group)
  }

  /** A forged envelope from a member: its sequencer result or vote for whatever is awaited is lost. */
  private onRejected(ev: RejectionEvent): void {
    if (ev.direction !== 'inbound' || ev.code !== 'NETWORK_BAD_SIGNATURE' || ev.remoteName === undefined) return
    const m = this.membership.byName(ev.remoteName)
    if (m === undefined || m.group === undefined) return
    const touched: Array<[string, Entry]> = []
    for (const [hash, e] of this.entries) {
      if (e.waiters.size === 0 || e.accepted !== undefined) continue
      const t = this.tally(e, m.group)
      if (m.role === 'sequencer' && t.result === undefined) t.sequencerLost = true
      else if (m.role === 'voter' && !t.votes.has(m.name)) t.badVoters.add(m.name)
      else continue
      touched.push([hash, e])
    }
    const first = touched[0]
    this.fault({
      node: m.name,
      group: m.group,
      kind: 'bad-signature',
      detail: `forged ${ev.protocol} envelope`,
      ...(first === undefined ? {} : { blockNumber: first[1].blockNumber.toString(), packageHash: first[0] }),
    })
    for (const [hash, e] of touched) this.evaluate(hash, e, m.group)
  }

  private timeoutFault(packageHash: string, e: Entry, group: number): void {
    const g = this.membership.groups().find((x) => x.group === group)
    if (g === undefined) return
    const t = e.groups.get(group)
    const silent = t?.result === undefined ? [g.sequencer.name] : g.voters.filter((v) => !(t.votes.has(v.name) || t.badVoters.has(v.name))).map((v) => v.name)
    for (const node of silent) this.fault({ node, group, blockNumber: e.blockNumber.toString(), packageHash, kind: 'timeout' })
  }

  private evaluate(packageHash: string, e: Entry, group: number): void {
    const t = e.groups.get(group)
    if (t === undefined) return
    const g = this.membership.groups().find((x) => x.group === group)
    if (g === undefined) return
    if (t.decision === undefined || t.decision.state === 'pending') {
      const view = { ...t, failed: t.failure !== undefined, ...(t.result !== undefined ? { resultHash: t.result.hash } : {}) }
      t.decision = decide(view, g.voters.map((v) => v.name))
      const base = { group, blockNumber: e.blockNumber.toString(), packageHash }
      if (t.decision.state === 'reject' && t.decision.reason === 'disagreement') {
        if (t.decision.wrongResult) this.fault({ ...base, node: g.sequencer.name, kind: 'wrong-result', detail: 'the voters signed another result' })
        else this.fault({ ...base, node: g.sequencer.name, kind: 'disagreement', detail: 'no quorum of voters on one result' })
      }
      if (t.decision.state === 'accept') {
        for (const v of t.decision.dissenters) {
          if (!t.badVoters.has(v)) this.fault({ ...base, node: v, kind: 'wrong-vote', detail: 'signed a result the quorum did not' })
        }
      }
    }
    const d = t.decision
    if (d.state === 'pending') return
    for (const w of [...e.waiters]) {
      if (!w.pending.has(group)) continue
      if (d.state === 'accept' && t.result !== undefined) {
        if (w.packageId !== undefined && t.result.result.packageId !== w.packageId) {
          w.pending.delete(group)
          w.lastError = new RoleError('ROLE_DISAGREEMENT', `group ${group} answered for package ${t.result.result.packageId}, not ${w.packageId}`)
        } else {
          const acc: AcceptedResult = {
            result: t.result.result,
            resultHash: t.result.hash,
            group,
            sequencer: g.sequencer.name,
            voters: d.voters,
            acceptedAt: this.now(),
            resultAt: t.result.at,
          }
          e.accepted = acc
          w.resolve(acc)
          continue
        }
      } else if (d.state === 'reject') {
        w.pending.delete(group)
        w.lastError =
          d.reason === 'failed' && t.failure !== undefined
            ? deserializeError(t.failure)
            : new RoleError(d.reason === 'equivocation' ? 'ROLE_EQUIVOCATION' : d.reason === 'lost' ? 'ROLE_BAD_SIGNATURE' : 'ROLE_DISAGREEMENT', `group ${group} rejected: ${d.reason}`, {
                details: { group, packageHash, reason: d.reason },
              })
      }
      if (w.pending.size === 0) w.reject(w.lastError ?? new RoleError('ROLE_DISAGREEMENT', 'every group was rejected'))
    }
  }
}
