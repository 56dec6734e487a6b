/**
 * A paradag network node: a libp2p host (TCP + Noise + yamux, nothing public: no mDNS, DHT,
 * relay or identify) admitting only members, serving the five paradag protocols, and a client
 * for them. Every protocol is one request envelope and one response envelope on a fresh
 * length-prefixed stream; a rejected request gets an `error` envelope carrying the code (or a
 * stream reset when the frame itself is unusable), is logged and counted, and the node keeps
 * serving.
 */
import './polyfill.js'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import type { LengthPrefixedStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createLogger, ParadagError, serializeError } from '../src/common/index.js'
import type { Logger } from '../src/common/index.js'
import { EnvelopeSigner, decodeEnvelope } from './codec.js'
import type { Envelope, EnvelopeFields } from './codec.js'
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  INBOUND_READ_TIMEOUT_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_INBOUND_STREAMS,
  MAX_MESSAGE_SIZE,
  MAX_OUTBOUND_STREAMS,
  PROTOCOL,
  PROTOCOL_MESSAGES,
} from './constants.js'
import type { MessageTypeName, ProtocolName, Role } from './constants.js'
import { NetworkError, RemoteError, WireError, isWireErrorCode } from './errors.js'
import { membershipGater } from './gater.js'
import type { Identity } from './identity.js'
import type { Member, Membership } from './membership.js'
import {
  decodeErrorPayload,
  decodeHealth,
  decodeStateRequest,
  decodeStateResponse,
  decodeVote,
  encodeErrorPayload,
  encodeHealth,
  encodeStateRequest,
  encodeStateResponse,
  encodeVote,
} from './payloads.js'
import type { HealthStatus, StateEntries, Vote } from './payloads.js'
import { ReplayGuard } from './replay-guard.js'

export interface ParadagNodeOptions {
  identity: Identity
  membership: Membership
  /** Listen addresses (default ['/ip4/127.0.0.1/tcp/0']). */
  listen?: string[]
  /** Logger (default `paradag:network` prefixed with the node name). */
  logger?: Logger
  /** Default timeout of outbound requests (ms). */
  requestTimeoutMs?: number
  /** How long a server waits for the request frame (ms). */
  inboundReadTimeoutMs?: number
  /** Largest accepted |local clock - envelope timestamp| (ms; Infinity disables). */
  maxClockSkewMs?: number
  /** Replay window per author (nonces). */
  replayWindow?: number
  /** Wall clock in ms (tests). */
  now?: () => number
}

export interface RequestOptions {
  signal?: AbortSignal
  /** Overrides the node's default request timeout (ms). */
  timeoutMs?: number
}

/** A package or result as sent: opaque payload bytes for one block. */
export interface BlockMessage {
  blockNumber: bigint
  payload: Uint8Array
}

/** Why an inbound (or response) message was refused. */
export interface RejectionEvent {
  protocol: ProtocolName
  direction: 'inbound' | 'response'
  code: string
  message: string
  remotePeer: string
  /** Member name of the remote peer, when it is a member. */
  remoteName?: string
}

/** Message and byte counters (for "messages and bytes per block" reports). */
export interface NetworkStats {
  sent: Record<ProtocolName, { messages: number; bytes: number }>
  received: Record<ProtocolName, { messages: number; bytes: number }>
  rejected: Record<string, number>
}

export type EnvelopeHandler = (envelope: Envelope) => void | Promise<void>
export type VoteHandler = (vote: Vote, envelope: Envelope) => void | Promise<void>
export type StateHandler = (keys: string[], envelope: Envelope) => StateEntries | Promise<StateEntries>
export type HealthProvider = () => { status: string; info?: Record<string, string | number | boolean> }

/** Health as measured by `ping`: the peer's answer plus the round trip. */
export interface PingResult extends HealthStatus {
  rttMs: number
}

/** A running (or startable) paradag node. */
export interface ParadagNode {
  readonly name: string
  readonly member: Member
  readonly role: Role
  readonly peerId: PeerId
  readonly membership: Membership
  readonly libp2p: Libp2p
  /** Signs envelopes as this node (for forwarding and fault injection). */
  readonly signer: EnvelopeSigner
  readonly isStarted: boolean
  /** Starts listening and serving; idempotent. */
  start(): Promise<void>
  /** Stops libp2p and releases every socket and timer; idempotent. */
  stop(): Promise<void>
  /** Addresses this node listens on (with its /p2p/ suffix). */
  getMultiaddrs(): Multiaddr[]
  /** Adds dialable addresses for a member (name or peer id), e.g. after it bound port 0. */
  addPeerAddrs(to: string, addrs: ReadonlyArray<Multiaddr | string>): Promise<void>
  /** Serves package dispatch. */
  onPackage(handler: EnvelopeHandler): void
  /** Serves results. */
  onResult(handler: EnvelopeHandler): void
  /** Serves votes. */
  onVote(handler: VoteHandler): void
  /** Serves state fetches. */
  onStateRequest(handler: StateHandler): void
  /** Sets what health answers carry (default status 'ok'). */
  setHealthProvider(provider: HealthProvider): void
  /** Subscribes to rejections; returns the unsubscribe function. */
  onRejected(listener: (event: RejectionEvent) => void): () => void
  /** Sends a signed package to a member (construction or committer -> sequencer/voter). */
  sendPackage(to: string, message: BlockMessage, options?: RequestOptions): Promise<void>
  /** Sends a signed result to a member (sequencer -> committer). */
  sendResult(to: string, message: BlockMessage, options?: RequestOptions): Promise<void>
  /** Sends a signed vote to a member (voter -> committer). */
  sendVote(to: string, vote: Vote, options?: RequestOptions): Promise<void>
  /** Fetches values of state keys at a block from a member. */
  fetchState(to: string, request: { blockNumber: bigint; keys: readonly string[] }, options?: RequestOptions): Promise<StateEntries>
  /** Asks a member for its health. */
  ping(to: string, options?: RequestOptions): Promise<PingResult>
  /** Generic signed request/response on a protocol; throws RemoteError on an error answer. */
  request(to: string, protocol: ProtocolName, fields: EnvelopeFields, options?: RequestOptions): Promise<Envelope>
  /** Sends pre-encoded frame bytes as the request (forwarding, fault injection, tests). */
  requestRaw(to: string, protocol: ProtocolName, frame: Uint8Array, options?: RequestOptions): Promise<Envelope>
  /** Message, byte and rejection counters since start. */
  stats(): NetworkStats
}

const PROTOCOL_NAMES = Object.keys(PROTOCOL) as ProtocolName[]

/** Creates (but does not start) a paradag node for `identity`, which must be a member. */
export async function createParadagNode(options: ParadagNodeOptions): Promise<ParadagNode> {
  const { identity, membership } = options
  const member = membership.byPeerId(identity.peerId)
  if (member === undefined) {
    throw new NetworkError('NETWORK_NOT_A_MEMBER', `peer ${identity.peerId.toString()} is not in the membership`, {
      details: { peerId: identity.peerId.toString() },
    })
  }
  const log = options.logger ?? createLogger('paradag:network', member.name)
  const libp2p = await createLibp2p({
    start: false,
    privateKey: identity.privateKey,
    addresses: { listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: membershipGater(membership, log),
    // Our health protocol covers liveness; the monitor would ping over a protocol we do not serve.
    connectionMonitor: { enabled: false },
  })
  return new Node(options, member, libp2p, log)
}

const emptyCounters = (): Record<ProtocolName, { messages: number; bytes: number }> =>
  Object.fromEntries(PROTOCOL_NAMES.map((p) => [p, { messages: 0, bytes: 0 }])) as Record<ProtocolName, { messages: number; bytes: number }>

class Node implements ParadagNode {
  readonly name: string
  readonly role: Role
  readonly peerId: PeerId
  readonly membership: Membership
  readonly signer: EnvelopeSigner
  private started = false
  private readonly guard: ReplayGuard
  private readonly now: () => number
  private readonly skew: number
  private readonly requestTimeoutMs: number
  private readonly inboundReadTimeoutMs: number
  private readonly startedAt: number
  private readonly listeners = new Set<(e: RejectionEvent) => void>()
  private counters: NetworkStats = { sent: emptyCounters(), received: emptyCounters(), rejected: {} }
  private handlers: {
    package?: EnvelopeHandler
    result?: EnvelopeHandler
    vote?: VoteHandler
    state?: StateHandler
  } = {}
  private health: HealthProvider = () => ({ status: 'ok' })

  constructor(
    options: ParadagNodeOptions,
    readonly member: Member,
    readonly libp2p: Libp2p,
    private readonly log: Logger,
  ) {
    this.name = member.name
    this.role = member.role
    this.peerId = member.peerId
    this.membership = options.membership
    this.now = options.now ?? Date.now
    this.signer = new EnvelopeSigner(options.identity, this.now)
    this.guard = new ReplayGuard(options.replayWindow === undefined ? {} : { window: options.replayWindow })
    this.skew = options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.inboundReadTimeoutMs = options.inboundReadTimeoutMs ?? INBOUND_READ_TIMEOUT_MS
    this.startedAt = this.now()
  }

  get isStarted(): boolean {
    return this.started
  }

  async start(): Promise<void> {
    if (this.started) return
    await this.libp2p.start()
    try {
      for (const m of this.membership.members) {
        if (m.name !== this.name && m.addrs.length > 0) await this.libp2p.peerStore.merge(m.peerId, { multiaddrs: [...m.addrs] })
      }
      for (const p of PROTOCOL_NAMES) {
        await this.libp2p.handle(PROTOCOL[p], (stream, connection) => this.serve(p, stream, connection), {
          maxInboundStreams: MAX_INBOUND_STREAMS,
          maxOutboundStreams: MAX_OUTBOUND_STREAMS,
        })
      }
    } catch (err) {
      await this.libp2p.stop()
      throw err
    }
    this.started = true
    this.log('started as %s on %s', this.role, this.getMultiaddrs().map(String).join(', '))
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.libp2p.stop()
    this.log('stopped')
  }

  getMultiaddrs(): Multiaddr[] {
    return this.libp2p.getMultiaddrs()
  }

  async addPeerAddrs(to: string, addrs: ReadonlyArray<Multiaddr | string>): Promise<void> {
    const m = this.resolve(to)
    await this.libp2p.peerStore.merge(m.peerId, { multiaddrs: addrs.map((a) => (typeof a === 'string' ? multiaddr(a) : a)) })
  }

  onPackage(handler: EnvelopeHandler): void {
    this.handlers.package = handler
  }

  onResult(handler: EnvelopeHandler): void {
    this.handlers.result = handler
  }

  onVote(handler: VoteHandler): void {
    this.handlers.vote = handler
  }

  onStateRequest(handler: StateHandler): void {
    this.handlers.state = handler
  }

  setHealthProvider(provider: HealthProvider): void {
    this.health = provider
  }

  onRejected(listener: (event: RejectionEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  stats(): NetworkStats {
    return structuredClone(this.counters)
  }

  async sendPackage(to: string, message: BlockMessage, options?: RequestOptions): Promise<void> {
    await this.request(to, 'package', { type: 'package', ...message }, options)
  }

  async sendResult(to: string, message: BlockMessage, options?: RequestOptions): Promise<void> {
    await this.request(to, 'result', { type: 'result', ...message }, options)
  }

  async sendVote(to: string, vote: Vote, options?: RequestOptions): Promise<void> {
    await this.request(to, 'vote', { type: 'vote', blockNumber: vote.blockNumber, payload: encodeVote(vote) }, options)
  }

  async fetchState(to: string, req: { blockNumber: bigint; keys: readonly string[] }, options?: RequestOptions): Promise<StateEntries> {
    const env = await this.request(to, 'state', { type: 'stateRequest', blockNumber: req.blockNumber, payload: encodeStateRequest(req.keys) }, options)
    return this.decodeResponse('state', env, () => decodeStateResponse(env.payload))
  }

  async ping(to: string, options?: RequestOptions): Promise<PingResult> {
    const t0 = performance.now()
    const env = await this.request(to, 'health', { type: 'healthRequest', blockNumber: 0n, payload: new Uint8Array(0) }, options)
    const h = this.decodeResponse('health', env, () => decodeHealth(env.payload))
    return { ...h, rttMs: performance.now() - t0 }
  }

  async request(to: string, protocol: ProtocolName, fields: EnvelopeFields, options: RequestOptions = {}): Promise<Envelope> {
    if (fields.type !== PROTOCOL_MESSAGES[protocol].request) {
      throw new WireError('NETWORK_UNEXPECTED_MESSAGE', `${protocol} requests carry ${PROTOCOL_MESSAGES[protocol].request}, not ${fields.type}`)
    }
    return this.requestRaw(to, protocol, await this.signer.encode(fields), options)
  }

  async requestRaw(to: string, protocol: ProtocolName, frame: Uint8Array, options: RequestOptions = {}): Promise<Envelope> {
    if (!this.started) throw new NetworkError('NETWORK_NOT_STARTED', `node ${this.name} is not started`)
    const target = this.resolve(to)
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    const responseType = PROTOCOL_MESSAGES[protocol].response
    const maxIn = Math.max(MAX_MESSAGE_SIZE[responseType], MAX_MESSAGE_SIZE.error)
    const aborted = (cause: unknown): ParadagError =>
      options.signal?.aborted === true
        ? new NetworkError('NETWORK_ABORTED', `${protocol} request to ${target.name} aborted`, { cause })
        : new NetworkError('NETWORK_TIMEOUT', `${protocol} request to ${target.name} timed out after ${timeoutMs} ms`, {
            details: { timeoutMs },
            cause,
          })

    let stream: Stream
    try {
      stream = await this.libp2p.dialProtocol(target.peerId, PROTOCOL[protocol], { signal })
    } catch (cause) {
      if (signal.aborted) throw aborted(cause)
      throw new NetworkError('NETWORK_DIAL_FAILED', `cannot open ${protocol} stream to ${target.name}: ${(cause as Error).message}`, {
        details: { peer: target.name, protocol },
        cause,
      })
    }
    let frameIn
    try {
      const lp = lpStream(stream, { maxDataLength: maxIn, maxBufferSize: maxIn + 16 })
      await lp.write(frame, { signal })
      this.count('sent', protocol, frame.length)
      frameIn = await lp.read({ signal })
    } catch (cause) {
      stream.abort(cause instanceof Error ? cause : new Error(String(cause)))
      if (signal.aborted) throw aborted(cause)
      const code = frameErrorCode(cause)
      const err =
        code === undefined
          ? new NetworkError('NETWORK_STREAM_FAILED', `${protocol} stream to ${target.name} failed: ${(cause as Error).message}`, { cause })
          : new WireError(code, `bad ${protocol} response from ${target.name}: ${(cause as Error).message}`, { cause })
      if (err instanceof WireError) this.reject(protocol, 'response', err, target.peerId.toString())
      throw err
    }
    this.count('received', protocol, frameIn.byteLength)
    let env: Envelope
    try {
      env = await decodeEnvelope(frameIn, {
        membership: this.membership,
        replayGuard: this.guard,
        expectedTypes: [responseType, 'error'],
        expectedAuthor: target.peerId.toString(),
        maxClockSkewMs: this.skew,
        now: this.now,
      })
    } catch (err) {
      stream.abort(err as Error)
      this.reject(protocol, 'response', err, target.peerId.toString())
      throw err
    }
    await stream.close({ signal }).catch(() => stream.abort(new Error('close failed')))
    if (env.type === 'error') {
      const remote = this.decodeResponse(protocol, env, () => decodeErrorPayload(env.payload))
      throw new RemoteError(target.peerId.toString(), remote)
    }
    return env
  }

  private decodeResponse<T>(protocol: ProtocolName, env: Envelope, decode: () => T): T {
    try {
      return decode()
    } catch (err) {
      this.reject(protocol, 'response', err, env.author.peerId.toString())
      throw err
    }
  }

  private resolve(to: string): Member {
    const m = this.membership.byName(to) ?? this.membership.byPeerId(to)
    if (m === undefined) throw new NetworkError('NETWORK_UNKNOWN_PEER', `"${to}" is not a member`, { details: { to } })
    return m
  }

  private count(dir: 'sent' | 'received', protocol: ProtocolName, bytes: number): void {
    const c = this.counters[dir][protocol]
    c.messages++
    c.bytes += bytes
  }

  private reject(protocol: ProtocolName, direction: RejectionEvent['direction'], err: unknown, remotePeer: string): void {
    const code = err instanceof ParadagError ? err.code : 'INTERNAL'
    const message = err instanceof Error ? err.message : String(err)
    const remote = this.membership.byPeerId(remotePeer)
    this.counters.rejected[code] = (this.counters.rejected[code] ?? 0) + 1
    this.log.error('rejected %s %s from %s: %s (%s)', protocol, direction, remote?.name ?? remotePeer, code, message)
    const ev: RejectionEvent = { protocol, direction, code, message, remotePeer }
    if (remote !== undefined) ev.remoteName = remote.name
    for (const l of this.listeners) {
      try {
        l(ev)
      } catch {
        // A listener's failure must not take down the serving path.
      }
    }
  }

  /** Serves one inbound stream: read one request, answer once, close. Never throws. */
  private async serve(protocol: ProtocolName, stream: Stream, connection: Connection): Promise<void> {
    const remotePeer = connection.remotePeer.toString()
    const requestType = PROTOCOL_MESSAGES[protocol].request
    const max = MAX_MESSAGE_SIZE[requestType]
    const lp = lpStream(stream, { maxDataLength: max, maxBufferSize: max + 16 })
    let frame
    try {
      frame = await lp.read({ signal: AbortSignal.timeout(this.inboundReadTimeoutMs) })
    } catch (cause) {
      // The frame itself is unusable (too long, cut off, or never came): there is no envelope to
      // answer, so reset the stream.
      const code = frameErrorCode(cause)
      const err =
        code !== undefined
          ? new WireError(code, `unusable ${protocol} frame: ${(cause as Error).message}`, { cause })
          : new NetworkError(
              (cause as Error).name === 'TimeoutError' || (cause as Error).name === 'AbortError' ? 'NETWORK_TIMEOUT' : 'NETWORK_STREAM_FAILED',
              `${protocol} request not received: ${(cause as Error).message}`,
              { cause },
            )
      this.reject(protocol, 'inbound', err, remotePeer)
      stream.abort(err)
      return
    }
    this.count('received', protocol, frame.byteLength)
    let reply: { type: MessageTypeName; blockNumber: bigint; payload: Uint8Array }
    try {
      const env = await decodeEnvelope(frame, {
        membership: this.membership,
        replayGuard: this.guard,
        expectedTypes: [requestType],
        expectedAuthor: remotePeer,
        maxClockSkewMs: this.skew,
        now: this.now,
      })
      reply = await this.dispatch(protocol, env)
    } catch (err) {
      if (!(err instanceof ParadagError) || isWireErrorCode(err.code)) this.reject(protocol, 'inbound', err, remotePeer)
      else this.log('%s handler refused a request from %s: %s', protocol, remotePeer, err.code)
      const serialized =
        err instanceof ParadagError ? serializeError(err) : serializeError(new NetworkError('NETWORK_HANDLER_FAILED', `${protocol} handler failed`, { cause: err }))
      reply = { type: 'error', blockNumber: 0n, payload: encodeErrorPayload({ code: serialized.code, message: serialized.message, details: serialized.details }) }
    }
    await this.answer(protocol, lp, stream, reply)
  }

  private async dispatch(protocol: ProtocolName, env: Envelope): Promise<{ type: MessageTypeName; blockNumber: bigint; payload: Uint8Array }> {
    const ack = { type: 'ack' as const, blockNumber: env.blockNumber, payload: new Uint8Array(0) }
    switch (protocol) {
      case 'package':
      case 'result': {
        const h = this.handlers[protocol]
        if (h === undefined) throw noHandler(protocol, this.name)
        await h(env)
        return ack
      }
      case 'vote': {
        const vote = decodeVote(env.payload, env.blockNumber)
        const h = this.handlers.vote
        if (h === undefined) throw noHandler(protocol, this.name)
        await h(vote, env)
        return ack
      }
      case 'state': {
        const keys = decodeStateRequest(env.payload)
        const h = this.handlers.state
        if (h === undefined) throw noHandler(protocol, this.name)
        const entries = await h(keys, env)
        return { type: 'stateResponse', blockNumber: env.blockNumber, payload: encodeStateResponse(entries) }
      }
      case 'health': {
        if (env.payload.length !== 0) throw new WireError('NETWORK_MALFORMED', 'health request carries a payload')
        const h = this.health()
        const status: HealthStatus = { name: this.name, role: this.role, status: h.status, uptimeMs: this.now() - this.startedAt }
        if (this.member.group !== undefined) status.group = this.member.group
        if (h.info !== undefined) status.info = h.info
        return { type: 'healthResponse', blockNumber: 0n, payload: encodeHealth(status) }
      }
    }
  }

  private async answer(
    protocol: ProtocolName,
    lp: LengthPrefixedStream<Stream>,
    stream: Stream,
    reply: { type: MessageTypeName; blockNumber: bigint; payload: Uint8Array },
  ): Promise<void> {
    const signal = AbortSignal.timeout(this.requestTimeoutMs)
    try {
      const bytes = await this.signer.encode(reply)
      await lp.write(bytes, { signal })
      this.count('sent', protocol, bytes.length)
      await stream.close({ signal })
    } catch (err) {
      this.log('could not answer %s request: %s', protocol, (err as Error).message)
      stream.abort(err as Error)
    }
  }
}

function noHandler(protocol: ProtocolName, name: string): NetworkError {
  return new NetworkError('NETWORK_NO_HANDLER', `${name} does not serve ${protocol}`, { details: { protocol } })
}

/** Maps libp2p framing errors to wire codes; undefined for transport failures. */
function frameErrorCode(err: unknown): WireError['code'] | undefined {
  const name = (err as { name?: string } | null)?.name
  switch (name) {
    case 'InvalidDataLengthError':
    case 'InvalidDataLengthLengthError':
    case 'StreamBufferError':
      return 'NETWORK_MESSAGE_TOO_LARGE'
    case 'InvalidMessageLengthError':
      return 'NETWORK_MALFORMED'
    case 'UnexpectedEOFError':
      return 'NETWORK_TRUNCATED'
    default:
      return undefined
  }
}
