/**
 * The versioned binary wire envelope. Every message on every paradag protocol is one envelope,
 * sent as one length-prefixed frame. Integers are big-endian.
 *
 * ```
 * offset        size  field
 * 0             1     magic 0x50 ('P')
 * 1             1     version (1)
 * 2             1     message type (MESSAGE_TYPE)
 * 3             1     flags (reserved, must be 0)
 * 4             1     author length A (1..64)
 * 5             A     author: the peer id's multihash bytes (38 for Ed25519)
 * 5+A           8     nonce (u64, strictly increasing per author)
 * 13+A          8     block number (u64)
 * 21+A          8     timestamp (u64, ms since the Unix epoch)
 * 29+A          4     payload length P (u32)
 * 33+A          P     payload
 * 33+A+P        64    Ed25519 signature over bytes [0, 33+A+P)
 * ```
 *
 * Decoding checks, in order: size against the largest envelope, truncation, magic, version,
 * type, per-type size, flags and exact length, author membership, the author's role for the
 * type, the signature, the clock, and finally the replay guard (recorded only for authentic
 * messages, so forgeries cannot poison it).
 */
import type { PublicKey } from '@libp2p/interface'
import {
  ENVELOPE,
  MAX_CLOCK_SKEW_MS,
  MAX_ENVELOPE_SIZE,
  MAX_MESSAGE_SIZE,
  MESSAGE_AUTHORS,
  MESSAGE_TYPE,
  MESSAGE_TYPE_NAME,
  WIRE_MAGIC,
  WIRE_VERSION,
} from './constants.js'
import type { MessageTypeName, Role } from './constants.js'
import { WireError } from './errors.js'
import type { Identity } from './identity.js'
import type { Member, Membership } from './membership.js'
import type { ReplayGuard } from './replay-guard.js'

/** What a sender fills in; nonce and timestamp default to the signer's counter and clock. */
export interface EnvelopeFields {
  type: MessageTypeName
  blockNumber: bigint
  payload: Uint8Array
  nonce?: bigint
  timestamp?: number
}

/** The fields of an envelope, structurally parsed but not yet authenticated. */
export interface ParsedEnvelope {
  readonly version: number
  readonly type: MessageTypeName
  /** Multihash bytes of the author's peer id. */
  readonly authorBytes: Uint8Array
  readonly nonce: bigint
  readonly blockNumber: bigint
  readonly timestamp: number
  readonly payload: Uint8Array
  readonly signature: Uint8Array
  /** The signed bytes (everything before the signature). */
  readonly signed: Uint8Array
  /** The whole envelope as received (for forwarding and re-verification). */
  readonly bytes: Uint8Array
}

/** An authenticated envelope: its author is a member allowed to send this type. */
export interface Envelope extends ParsedEnvelope {
  readonly author: Member
}

export interface VerifyOptions {
  membership: Membership
  /** Records the nonce and rejects repeats; omit to verify a forwarded or stored envelope. */
  replayGuard?: ReplayGuard
  /** Accept only these types (NETWORK_UNEXPECTED_MESSAGE otherwise). */
  expectedTypes?: readonly MessageTypeName[]
  /** The envelope must be authored by this peer (e.g. the connection's remote peer). */
  expectedAuthor?: string
  /** Override of MESSAGE_AUTHORS (which roles may author which type). */
  authors?: Readonly<Record<MessageTypeName, readonly Role[]>>
  /** Wall clock in ms (default Date.now). */
  now?: () => number
  /** Largest |now - timestamp| accepted (default MAX_CLOCK_SKEW_MS; Infinity disables). */
  maxClockSkewMs?: number
}

/** A frame as read from a stream (a Uint8ArrayList or anything that can be made contiguous). */
export interface FrameBytes {
  subarray(): Uint8Array
}

const HEADER_FIXED = ENVELOPE.prefixBytes + ENVELOPE.fixedFieldBytes

/** Signs envelopes for one identity with a strictly increasing nonce. */
export class EnvelopeSigner {
  readonly identity: Identity
  readonly authorBytes: Uint8Array
  private lastNonce = 0n
  private readonly clock: () => number

  constructor(identity: Identity, clock: () => number = Date.now) {
    this.identity = identity
    this.authorBytes = identity.peerId.toMultihash().bytes
    this.clock = clock
    if (this.authorBytes.length < 1 || this.authorBytes.length > ENVELOPE.maxAuthorBytes) {
      throw new WireError('NETWORK_MALFORMED', 'peer id too long for the envelope author field')
    }
  }

  /** Next nonce: above every earlier one, and at least the clock in microseconds. */
  nextNonce(): bigint {
    const fromClock = BigInt(Math.floor(this.clock())) * 1000n
    this.lastNonce = fromClock > this.lastNonce ? fromClock : this.lastNonce + 1n
    return this.lastNonce
  }

  /** Encodes and signs one envelope. */
  async encode(fields: EnvelopeFields): Promise<Uint8Array> {
    const typeByte = MESSAGE_TYPE[fields.type]
    const a = this.authorBytes.length
    const p = fields.payload.length
    const total = HEADER_FIXED + a + p + ENVELOPE.signatureBytes
    if (total > MAX_MESSAGE_SIZE[fields.type]) {
      throw new WireError('NETWORK_MESSAGE_TOO_LARGE', `${fields.type} of ${total} bytes exceeds ${MAX_MESSAGE_SIZE[fields.type]}`, {
        details: { type: fields.type, size: total, max: MAX_MESSAGE_SIZE[fields.type] },
      })
    }
    const out = new Uint8Array(total)
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength)
    out[0] = WIRE_MAGIC
    out[1] = WIRE_VERSION
    out[2] = typeByte
    out[3] = 0
    out[4] = a
    out.set(this.authorBytes, 5)
    let o = 5 + a
    dv.setBigUint64(o, fields.nonce ?? this.nextNonce())
    dv.setBigUint64(o + 8, fields.blockNumber)
    dv.setBigUint64(o + 16, BigInt(Math.floor(fields.timestamp ?? this.clock())))
    dv.setUint32(o + 24, p)
    o += 28
    out.set(fields.payload, o)
    o += p
    const sig = await this.identity.privateKey.sign(out.subarray(0, o))
    if (sig.length !== ENVELOPE.signatureBytes) throw new WireError('NETWORK_MALFORMED', 'signer produced a non-Ed25519 signature')
    out.set(sig, o)
    return out
  }
}

/** Parses the structure of an envelope without authenticating it. */
export function parseEnvelope(input: Uint8Array | FrameBytes): ParsedEnvelope {
  const raw = input instanceof Uint8Array ? input : input.subarray()
  // A plain Uint8Array view (frames from streams are Buffers), so callers see one type.
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
  const n = bytes.length
  if (n > MAX_ENVELOPE_SIZE) {
    throw new WireError('NETWORK_MESSAGE_TOO_LARGE', `envelope of ${n} bytes exceeds ${MAX_ENVELOPE_SIZE}`, { details: { size: n, max: MAX_ENVELOPE_SIZE } })
  }
  if (n < 1) throw new WireError('NETWORK_TRUNCATED', 'empty envelope', { details: { size: n } })
  if (bytes[0] !== WIRE_MAGIC) throw new WireError('NETWORK_MALFORMED', 'not a paradag envelope (bad magic)', { details: { magic: bytes[0] } })
  if (n < 2) throw truncated(n, 2)
  if (bytes[1] !== WIRE_VERSION) {
    throw new WireError('NETWORK_UNSUPPORTED_VERSION', `wire version ${bytes[1]} is not supported (expected ${WIRE_VERSION})`, {
      details: { version: bytes[1], expected: WIRE_VERSION },
    })
  }
  if (n < 3) throw truncated(n, 3)
  const typeByte = bytes[2] as number
  const type = MESSAGE_TYPE_NAME[typeByte]
  if (type === undefined) throw new WireError('NETWORK_UNKNOWN_MESSAGE_TYPE', `unknown message type ${typeByte}`, { details: { typeByte } })
  if (n > MAX_MESSAGE_SIZE[type]) {
    throw new WireError('NETWORK_MESSAGE_TOO_LARGE', `${type} of ${n} bytes exceeds ${MAX_MESSAGE_SIZE[type]}`, {
      details: { type, size: n, max: MAX_MESSAGE_SIZE[type] },
    })
  }
  if (n < ENVELOPE.prefixBytes) throw truncated(n, ENVELOPE.prefixBytes)
  if (bytes[3] !== 0) throw new WireError('NETWORK_MALFORMED', 'reserved flags must be zero', { details: { flags: bytes[3] } })
  const a = bytes[4] as number
  if (a < 1 || a > ENVELOPE.maxAuthorBytes) throw new WireError('NETWORK_MALFORMED', `author length ${a} out of range`, { details: { authorLength: a } })
  const fixedEnd = HEADER_FIXED + a
  if (n < fixedEnd) throw truncated(n, fixedEnd)
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const o = ENVELOPE.prefixBytes + a
  const nonce = dv.getBigUint64(o)
  const blockNumber = dv.getBigUint64(o + 8)
  const ts = dv.getBigUint64(o + 16)
  const p = dv.getUint32(o + 24)
  const signedEnd = fixedEnd + p
  const end = signedEnd + ENVELOPE.signatureBytes
  if (n < end) throw truncated(n, end)
  if (n > end) throw new WireError('NETWORK_MALFORMED', `${n - end} trailing bytes after the signature`, { details: { size: n, expected: end } })
  if (ts > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireError('NETWORK_MALFORMED', 'timestamp out of range')
  return {
    version: WIRE_VERSION,
    type,
    authorBytes: bytes.subarray(ENVELOPE.prefixBytes, o),
    nonce,
    blockNumber,
    timestamp: Number(ts),
    payload: bytes.subarray(fixedEnd, signedEnd),
    signature: bytes.subarray(signedEnd, end),
    signed: bytes.subarray(0, signedEnd),
    bytes,
  }
}

/** Authenticates a parsed envelope against the membership (and records it in the replay guard). */
export async function verifyEnvelope(env: ParsedEnvelope, options: VerifyOptions): Promise<Envelope> {
  if (options.expectedTypes !== undefined && !options.expectedTypes.includes(env.type)) {
    throw new WireError('NETWORK_UNEXPECTED_MESSAGE', `unexpected ${env.type} (expected ${options.expectedTypes.join(' or ')})`, {
      details: { type: env.type, expected: [...options.expectedTypes] },
    })
  }
  const author = options.membership.byPeerIdBytes(env.authorBytes)
  if (author === undefined) throw new WireError('NETWORK_UNKNOWN_AUTHOR', 'author is not in the membership', { details: { type: env.type } })
  const peer = author.peerId.toString()
  if (options.expectedAuthor !== undefined && options.expectedAuthor !== peer) {
    throw new WireError('NETWORK_AUTHOR_MISMATCH', `${env.type} authored by ${author.name} arrived from another peer`, {
      details: { author: peer, expected: options.expectedAuthor },
    })
  }
  const allowed = (options.authors ?? MESSAGE_AUTHORS)[env.type]
  if (!allowed.includes(author.role)) {
    throw new WireError('NETWORK_ROLE_NOT_ALLOWED', `a ${author.role} may not author ${env.type}`, {
      details: { type: env.type, author: author.name, role: author.role, allowed: [...allowed] },
    })
  }
  // Cheap replay pre-check before the signature, so a flood of replays costs no crypto.
  options.replayGuard?.check(peer, env.nonce)
  if (!(await verifySignature(author.publicKey, env.signed, env.signature))) {
    throw new WireError('NETWORK_BAD_SIGNATURE', `bad signature on ${env.type} from ${author.name}`, { details: { type: env.type, author: author.name } })
  }
  const skew = options.maxClockSkewMs ?? MAX_CLOCK_SKEW_MS
  if (Number.isFinite(skew)) {
    const now = (options.now ?? Date.now)()
    if (Math.abs(now - env.timestamp) > skew) {
      throw new WireError('NETWORK_STALE', `${env.type} from ${author.name} is timestamped ${now - env.timestamp} ms off the local clock`, {
        details: { type: env.type, author: author.name, timestamp: env.timestamp, now, maxSkewMs: skew },
      })
    }
  }
  // check and record without an await in between: two concurrent copies cannot both pass.
  options.replayGuard?.checkAndRecord(peer, env.nonce)
  return { ...env, author }
}

/** Parses and authenticates one envelope. */
export async function decodeEnvelope(input: Uint8Array | FrameBytes, options: VerifyOptions): Promise<Envelope> {
  return verifyEnvelope(parseEnvelope(input), options)
}

async function verifySignature(key: PublicKey, data: Uint8Array, sig: Uint8Array): Promise<boolean> {
  try {
    return await key.verify(data, sig)
  } catch {
    return false
  }
}

function truncated(size: number, needed: number): WireError {
  return new WireError('NETWORK_TRUNCATED', `envelope ends at ${size} bytes, needs at least ${needed}`, { details: { size, needed } })
}
