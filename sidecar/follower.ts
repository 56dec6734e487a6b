/**
 * The follower service: walks the chain from `fromBlock` (default: the head), checks each block
 * with `checkBlock`, and keeps going whatever happens — a mismatch is reported and counted, a
 * block that cannot be checked is reported as unverifiable, a node that goes away is waited for
 * with backoff, and a reorg (a different hash at a height already checked) rewinds to the fork
 * point and re-checks from there. Memory is bounded: a window of recent hashes and headers.
 */
import { bytesToHex } from '@ethereumjs/util'
import { type OpHeader, encodeHeader } from '../src/chain/index.js'
import { type Logger, silentLogger } from '../src/common/index.js'
import { type BlockCheckDeps, type BlockReport, checkBlock } from './block-check.js'
import { HASH_WINDOW, MAX_REORG_DEPTH, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS, REPORT_WINDOW } from './constants.js'
import { SidecarError, isTransient } from './errors.js'
import type { HeadSource } from './heads.js'
import type { SidecarMetrics } from './metrics.js'
import { backoffDelay, sleep } from './rpc-client.js'
import type { RpcBlock } from './rpc-types.js'
import { formatDiffs } from './verify.js'

export interface FollowerOptions {
  fromBlock?: bigint | undefined
  /** Stop after this block (tests, backfills). */
  toBlock?: bigint | undefined
  hashWindow?: number
  /** Attempts at a block that keeps failing validation before it is reported unverifiable. */
  blockAttempts?: number
}

export interface FollowerComponents {
  deps: BlockCheckDeps
  heads: HeadSource
  logger?: Logger
  metrics?: SidecarMetrics
  onReport?: (r: BlockReport) => void
}

export interface FollowerStatus {
  state: 'idle' | 'following' | 'waiting-for-node' | 'stopped' | 'done'
  nextBlock: string | undefined
  head: string | undefined
  lag: number | undefined
  verified: number
  mismatches: number
  unverifiable: number
  reorgs: number
  lastError?: { code: string; message: string } | undefined
  recent: BlockReport[]
}

interface Known {
  hash: string
  header: OpHeader
  rlp: string
}

/** Follows the node and verifies every block. */
export class Follower {
  private readonly known = new Map<bigint, Known>()
  private readonly recent: BlockReport[] = []
  private next: bigint | undefined
  private controller: AbortController | undefined
  private loop: Promise<void> | undefined
  private state: FollowerStatus['state'] = 'idle'
  private lastError: FollowerStatus['lastError']
  private counts = { verified: 0, mismatches: 0, unverifiable: 0, reorgs: 0 }
  private readonly log: Logger

  constructor(
    private readonly c: FollowerComponents,
    private readonly opts: FollowerOptions = {},
  ) {
    this.log = c.logger ?? silentLogger
  }

  async start(): Promise<void> {
    if (this.loop !== undefined) return
    this.controller = new AbortController()
    this.state = 'following'
    this.loop = this.run(this.controller.signal).catch((err) => {
      if (!(err instanceof SidecarError && err.code === 'SIDECAR_ABORTED')) this.log.error('follower stopped on an unexpected error: %s', (err as Error).stack)
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.loop
    this.loop = undefined
    if (this.state !== 'done') this.state = 'stopped'
  }

  /** Resolves once the follower has processed `n` (or stopped). */
  async waitFor(n: bigint, signal?: AbortSignal): Promise<void> {
    while (this.loop !== undefined && (this.next === undefined || this.next <= n) && signal?.aborted !== true && this.state !== 'done') await sleep(50)
  }

  status(): FollowerStatus {
    const head = this.c.heads.latest()
    const lag = head !== undefined && this.next !== undefined ? Math.max(0, Number(head - (this.next - 1n))) : undefined
    return {
      state: this.state,
      nextBlock: this.next?.toString(),
      head: head?.toString(),
      lag,
      ...this.counts,
      lastError: this.lastError,
      recent: [...this.recent],
    }
  }

  private remember(b: RpcBlock): void {
    this.known.set(b.number, { hash: b.hash, header: b.header, rlp: bytesToHex(encodeHeader(b.header)) })
    const window = this.opts.hashWindow ?? HASH_WINDOW
    for (const k of this.known.keys()) if (k <= b.number - BigInt(window)) this.known.delete(k)
  }

  private ancestors(below: bigint): string[] {
    const out: string[] = []
    for (let k = below - 1n; ; k--) {
      const x = this.known.get(k)
      if (x === undefined) break
      out.push(x.rlp)
    }
    return out
  }

  private record(r: BlockReport): void {
    const m = this.c.metrics
    if (r.status === 'verified') this.counts.verified++
    else if (r.status === 'mismatch') this.counts.mismatches++
    else this.counts.unverifiable++
    if (m !== undefined) {
      if (r.status === 'verified') m.blocksVerified.inc()
      else if (r.status === 'mismatch') m.mismatches.inc()
      else m.unverifiable.inc({ code: r.error?.code ?? 'UNKNOWN' })
      for (const [phase, ms] of Object.entries(r.timingsMs)) m.phaseSeconds.observe({ phase }, ms / 1000)
      m.lastVerified.set(Number(r.number))
      if (r.parallel !== undefined) {
        m.speedup.set(r.parallel.idealSpeedup)
        m.conflicts.inc(r.parallel.conflicts)
      }
    }
    if (r.status === 'mismatch') this.log.error('%s', formatDiffs(BigInt(r.number), r.hash, r.diffs))
    else if (r.status === 'unverifiable') this.log.error('block %s (%s) could not be verified: %s %s', r.number, r.hash, r.error?.code, r.error?.message)
    else this.log('block %s verified (%d txs, %s gas, %s ms, witness %s)', r.number, r.txs, r.gasUsed, r.timingsMs.total.toFixed(1), r.witness?.source)
    this.recent.push(r)
    if (this.recent.length > REPORT_WINDOW) this.recent.shift()
    this.c.onReport?.(r)
  }

  /** Rewinds when the node's block at a checked height has another hash; returns true if it did. */
  private async checkReorg(signal: AbortSignal): Promise<boolean> {
    const last = this.next === undefined ? undefined : this.next - 1n
    if (last === undefined || !this.known.has(last)) return false
    const head = await this.c.deps.api.head(last, { signal })
    if (head !== null && head.hash === this.known.get(last)!.hash) return false
    // Walk back to the highest height where we and the node agree.
    let k = last
    let lowestReplaced = last
    for (let depth = 0; depth < MAX_REORG_DEPTH && this.known.has(k); depth++, k--) {
      const h = await this.c.deps.api.head(k, { signal })
      if (h !== null && h.hash === this.known.get(k)!.hash) break
      this.known.delete(k)
      lowestReplaced = k
    }
    this.counts.reorgs++
    this.c.metrics?.reorgs.inc()
    // Re-verify from the first replaced height (the fork point + 1, or the lowest height we had
    // checked when the fork lies below our window).
    this.next = lowestReplaced
    this.log.error('REORG detected at block %s: re-verifying from block %s', last.toString(), this.next.toString())
    return true
  }

  private async run(signal: AbortSignal): Promise<void> {
    const api = this.c.deps.api
    let failures = 0
    let sameBlockErrors = 0
    while (!signal.aborted) {
      try {
        if (this.next === undefined) {
          this.next = this.opts.fromBlock ?? (await api.blockNumber({ signal }))
          this.log('following from block %s', this.next.toString())
        }
        if (this.opts.toBlock !== undefined && this.next > this.opts.toBlock) {
          this.state = 'done'
          return
        }
        const head = this.c.heads.latest() ?? (await api.blockNumber({ signal }))
        this.c.metrics?.headLag.set(Math.max(0, Number(head - this.next + 1n)))
        if (await this.checkReorg(signal)) continue
        if (this.next > head) {
          this.state = 'following'
          await this.c.heads.waitForHead(1_000, signal)
          continue
        }
        const n = this.next
        const prev = this.known.get(n - 1n)
        let fetched: RpcBlock | undefined
        const report = await checkBlock(this.c.deps, n, {
          parent: prev === undefined ? undefined : { header: prev.header, hash: prev.hash },
          ancestorHeaders: this.ancestors(n - 1n),
          signal,
          onBlock: (b) => {
            // The parent we knew is not this block's parent: a reorg below us.
            if (prev !== undefined && b.parentHash !== prev.hash) throw new SidecarError('SIDECAR_BLOCK_NOT_FOUND', 'reorg: parent changed', { details: { reorg: true } })
            fetched = b
          },
        })
        failures = 0
        if (report.status === 'unverifiable' && sameBlockErrors + 1 < (this.opts.blockAttempts ?? 3) && report.error?.code.startsWith('SIDECAR_RPC') === true) {
          // A bad answer may be a passing glitch of a proxy: try the block again before giving up.
          sameBlockErrors++
          this.lastError = report.error
          await sleep(backoffDelay(sameBlockErrors, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS), signal)
          continue
        }
        sameBlockErrors = 0
        if (fetched !== undefined) this.remember(fetched)
        this.record(report)
        if (report.error !== undefined) this.lastError = report.error
        this.next = n + 1n
        this.state = 'following'
      } catch (err) {
        if (signal.aborted) return
        if (err instanceof SidecarError && err.details['reorg'] === true) {
          await this.checkReorg(signal).catch(() => false)
          continue
        }
        const code = err instanceof SidecarError ? err.code : 'INTERNAL'
        this.lastError = { code, message: (err as Error).message }
        if (err instanceof SidecarError && err.code === 'SIDECAR_BLOCK_NOT_FOUND') {
          await this.c.heads.waitForHead(500, signal)
          continue
        }
        if (!isTransient(err)) this.log.error('unexpected error: %s', (err as Error).stack)
        this.state = 'waiting-for-node'
        const d = backoffDelay(failures++, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS)
        this.log.error('node unavailable (%s: %s); retrying in %d ms', code, (err as Error).message, d)
        await sleep(d, signal).catch(() => undefined)
      }
    }
  }
}
