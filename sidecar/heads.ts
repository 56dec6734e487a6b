/**
 * Where new heads come from: a `newHeads` WebSocket subscription when a WS URL is given (with
 * reconnect and backoff), and polling `eth_blockNumber` always — the subscription only wakes the
 * follower early; if it drops, polling carries on and nothing is missed.
 */
import WebSocket from 'ws'
import { type Logger, silentLogger } from '../src/common/index.js'
import { POLL_INTERVAL_MS, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS } from './constants.js'
import type { NodeApi } from './node-api.js'
import { backoffDelay } from './rpc-client.js'
import { type RpcHead, parseHead } from './rpc-types.js'

export interface HeadSourceOptions {
  api: NodeApi
  wsUrl?: string | undefined
  pollIntervalMs?: number
  logger?: Logger
  /** Called with every head seen (newHeads, or the number from polling). */
  onHead?: (head: { number: bigint; hash?: string }) => void
  /** Called when the node becomes (un)reachable. */
  onNodeStatus?: (up: boolean, err?: unknown) => void
}

/** Tracks the node's head. */
export class HeadSource {
  private latestNumber: bigint | undefined
  private waiters: (() => void)[] = []
  private pollTimer: NodeJS.Timeout | undefined
  private ws: WebSocket | undefined
  private wsTimer: NodeJS.Timeout | undefined
  private wsAttempts = 0
  private running = false
  private up: boolean | undefined
  private readonly log: Logger
  wsConnected = false

  constructor(private readonly opts: HeadSourceOptions) {
    this.log = opts.logger ?? silentLogger
  }

  /** The highest head number seen. */
  latest(): bigint | undefined {
    return this.latestNumber
  }

  async start(): Promise<void> {
    this.running = true
    void this.poll()
    if (this.opts.wsUrl !== undefined) this.connectWs()
  }

  async stop(): Promise<void> {
    this.running = false
    clearTimeout(this.pollTimer)
    clearTimeout(this.wsTimer)
    if (this.ws !== undefined) {
      this.ws.removeAllListeners()
      this.ws.on('error', () => {})
      this.ws.terminate()
      this.ws = undefined
    }
    this.wake()
  }

  /** Resolves at the next head, after `ms`, or on stop/abort. */
  waitForHead(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const t = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      this.waiters.push(done)
    })
  }

  private wake(): void {
    const w = this.waiters
    this.waiters = []
    for (const f of w) f()
  }

  private seen(number: bigint, hash?: string): void {
    if (this.latestNumber === undefined || number > this.latestNumber || hash !== undefined) {
      if (this.latestNumber === undefined || number > this.latestNumber) this.latestNumber = number
      this.opts.onHead?.(hash === undefined ? { number } : { number, hash })
      this.wake()
    }
  }

  private setUp(up: boolean, err?: unknown): void {
    if (this.up === up) return
    this.up = up
    this.opts.onNodeStatus?.(up, err)
  }

  private async poll(): Promise<void> {
    if (!this.running) return
    try {
      const n = await this.opts.api.blockNumber({ retries: 0 })
      this.setUp(true)
      this.seen(n)
    } catch (err) {
      this.setUp(false, err)
    }
    if (!this.running) return
    // With a live subscription, polling is only a safety net.
    const every = (this.opts.pollIntervalMs ?? POLL_INTERVAL_MS) * (this.wsConnected ? 4 : 1)
    this.pollTimer = setTimeout(() => void this.poll(), every)
  }

  private connectWs(): void {
    if (!this.running || this.opts.wsUrl === undefined) return
    const ws = new WebSocket(this.opts.wsUrl, { handshakeTimeout: 5_000, maxPayload: 1 << 20 })
    this.ws = ws
    ws.on('open', () => {
      this.wsAttempts = 0
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_subscribe', params: ['newHeads'] }))
    })
    ws.on('message', (buf) => {
      let msg: unknown
      try {
        msg = JSON.parse(buf.toString())
      } catch {
        this.log.error('newHeads: a message is not JSON; ignored')
        return
      }
      const m = msg as { id?: unknown; result?: unknown; error?: { message?: unknown }; params?: { result?: unknown } }
      if (m.id === 1) {
        if (m.error !== undefined) {
          this.log.error('newHeads subscription refused (%s); polling only', String(m.error.message))
          ws.close()
          return
        }
        this.wsConnected = true
        this.log('newHeads subscription active on %s', this.opts.wsUrl)
        return
      }
      if (m.params?.result === undefined) return
      let head: RpcHead | null
      try {
        head = parseHead(m.params.result, 'newHeads')
      } catch (err) {
        this.log.error('newHeads: malformed head ignored: %s', (err as Error).message)
        return
      }
      if (head !== null) this.seen(head.number, head.hash)
    })
    ws.on('error', (err) => this.log('newHeads socket error: %s', err.message))
    ws.on('close', () => {
      this.wsConnected = false
      if (!this.running) return
      const d = backoffDelay(this.wsAttempts++, RECONNECT_BACKOFF_MS, RECONNECT_MAX_BACKOFF_MS)
      this.log('newHeads socket closed; reconnecting in %d ms (polling meanwhile)', d)
      this.wsTimer = setTimeout(() => this.connectWs(), d)
    })
  }
}
