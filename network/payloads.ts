/**
 * Typed payloads of the small message types. Package and result payloads stay opaque bytes:
 * their contents (WorkPackage, GroupResult) belong to src/group-exec, which serialises them.
 *
 * - vote: resultHash (32) | packageHash (32) | blockNumber (u64 BE); equals the envelope's block.
 * - stateRequest: count (u32) then per key: length (u16) | UTF-8 StateKey.
 * - stateResponse: count (u32) then per entry: key length (u16) | key | present (u8 0/1) |
 *   value length (u32) | value bytes (absent keys have length 0).
 * - healthRequest, ack: empty.
 * - healthResponse, error: UTF-8 JSON (HealthStatus, SerializedError).
 */
import { fromString, toString } from 'uint8arrays'
import type { SerializedError } from '../src/common/index.js'
import { HASH_BYTES, MAX_STATE_KEYS, ROLES, VOTE_PAYLOAD_BYTES } from './constants.js'
import type { Role } from './constants.js'
import { WireError } from './errors.js'

/** What a voter signs: the result it computed for a package of a block. */
export interface Vote {
  resultHash: Uint8Array
  packageHash: Uint8Array
  blockNumber: bigint
}

/** Values of requested state keys; `null` means the key does not exist in that state. */
export type StateEntries = Map<string, Uint8Array | null>

/** Liveness answer of the health protocol. */
export interface HealthStatus {
  name: string
  role: Role
  group?: number
  /** 'ok', or a short free-form word such as 'busy' or 'syncing'. */
  status: string
  uptimeMs: number
  /** Small extra facts (e.g. head block) for reports. */
  info?: Record<string, string | number | boolean>
}

// StateKey format of src/state-verification (b:/n:/c:addr, s:addr:slot32), lowercase hex.
const STATE_KEY_RE = /^(?:[bnc]:0x[0-9a-f]{40}|s:0x[0-9a-f]{40}:0x[0-9a-f]{64})$/

/** True when `key` is a well-formed StateKey. */
export function isStateKey(key: string): boolean {
  return STATE_KEY_RE.test(key)
}

/** Encodes a vote payload. */
export function encodeVote(v: Vote): Uint8Array {
  if (v.resultHash.length !== HASH_BYTES || v.packageHash.length !== HASH_BYTES) {
    throw new WireError('NETWORK_MALFORMED', 'vote hashes must be 32 bytes')
  }
  const out = new Uint8Array(VOTE_PAYLOAD_BYTES)
  out.set(v.resultHash, 0)
  out.set(v.packageHash, HASH_BYTES)
  new DataView(out.buffer).setBigUint64(2 * HASH_BYTES, v.blockNumber)
  return out
}

/** Decodes a vote payload; `envelopeBlock` must match the block inside. */
export function decodeVote(payload: Uint8Array, envelopeBlock?: bigint): Vote {
  if (payload.length < VOTE_PAYLOAD_BYTES) throw new WireError('NETWORK_TRUNCATED', `vote payload of ${payload.length} bytes`, { details: { size: payload.length } })
  if (payload.length > VOTE_PAYLOAD_BYTES) throw new WireError('NETWORK_MALFORMED', `vote payload of ${payload.length} bytes`, { details: { size: payload.length } })
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  const vote: Vote = {
    resultHash: payload.slice(0, HASH_BYTES),
    packageHash: payload.slice(HASH_BYTES, 2 * HASH_BYTES),
    blockNumber: dv.getBigUint64(2 * HASH_BYTES),
  }
  if (envelopeBlock !== undefined && vote.blockNumber !== envelopeBlock) {
    throw new WireError('NETWORK_MALFORMED', 'vote block number differs from the envelope block number', {
      details: { vote: vote.blockNumber.toString(), envelope: envelopeBlock.toString() },
    })
  }
  return vote
}

/** Encodes a state request (list of StateKeys). */
export function encodeStateRequest(keys: readonly string[]): Uint8Array {
  if (keys.length > MAX_STATE_KEYS) throw new WireError('NETWORK_MESSAGE_TOO_LARGE', `${keys.length} keys exceed ${MAX_STATE_KEYS}`)
  const w = new Writer()
  w.u32(keys.length)
  for (const k of keys) w.str16(checkKey(k))
  return w.finish()
}

/** Decodes a state request. */
export function decodeStateRequest(payload: Uint8Array): string[] {
  const r = new Reader(payload)
  const n = r.u32()
  if (n > MAX_STATE_KEYS) throw new WireError('NETWORK_MALFORMED', `${n} keys exceed ${MAX_STATE_KEYS}`)
  const keys: string[] = []
  for (let i = 0; i < n; i++) keys.push(checkKey(r.str16()))
  r.end()
  return keys
}

/** Encodes a state response. */
export function encodeStateResponse(entries: StateEntries): Uint8Array {
  const w = new Writer()
  w.u32(entries.size)
  for (const [k, v] of entries) {
    w.str16(checkKey(k))
    if (v === null) {
      w.u8(0)
      w.u32(0)
    } else {
      w.u8(1)
      w.bytes32(v)
    }
  }
  return w.finish()
}

/** Decodes a state response. */
export function decodeStateResponse(payload: Uint8Array): StateEntries {
  const r = new Reader(payload)
  const n = r.u32()
  if (n > MAX_STATE_KEYS) throw new WireError('NETWORK_MALFORMED', `${n} entries exceed ${MAX_STATE_KEYS}`)
  const out: StateEntries = new Map()
  for (let i = 0; i < n; i++) {
    const k = checkKey(r.str16())
    const present = r.u8()
    const v = r.bytes32()
    if (present === 0) {
      if (v.length !== 0) throw new WireError('NETWORK_MALFORMED', 'absent state key with a value')
      out.set(k, null)
    } else if (present === 1) out.set(k, v)
    else throw new WireError('NETWORK_MALFORMED', `bad presence flag ${present}`)
  }
  r.end()
  return out
}

/** Encodes a health answer. */
export function encodeHealth(h: HealthStatus): Uint8Array {
  return fromString(JSON.stringify(h), 'utf8')
}

/** Decodes and shape-checks a health answer. */
export function decodeHealth(payload: Uint8Array): HealthStatus {
  const o = parseJson(payload)
  if (
    typeof o.name !== 'string' ||
    typeof o.role !== 'string' ||
    !(ROLES as readonly string[]).includes(o.role) ||
    typeof o.status !== 'string' ||
    typeof o.uptimeMs !== 'number' ||
    (o.group !== undefined && typeof o.group !== 'number') ||
    (o.info !== undefined && (o.info === null || typeof o.info !== 'object'))
  ) {
    throw new WireError('NETWORK_MALFORMED', 'health payload has the wrong shape')
  }
  return o as unknown as HealthStatus
}

/** Encodes an error answer. */
export function encodeErrorPayload(e: SerializedError): Uint8Array {
  let bytes = fromString(JSON.stringify(e), 'utf8')
  // Keep error replies inside their size limit: drop details before failing.
  if (bytes.length > 8 * 1024) bytes = fromString(JSON.stringify({ code: e.code, message: e.message.slice(0, 1024), details: {} }), 'utf8')
  return bytes
}

/** Decodes an error answer. */
export function decodeErrorPayload(payload: Uint8Array): SerializedError {
  const o = parseJson(payload)
  if (typeof o.code !== 'string' || typeof o.message !== 'string' || o.details === null || typeof o.details !== 'object') {
    throw new WireError('NETWORK_MALFORMED', 'error payload has the wrong shape')
  }
  return { code: o.code, message: o.message, details: o.details as Record<string, unknown> }
}

function parseJson(payload: Uint8Array): Record<string, unknown> {
  let o: unknown
  try {
    o = JSON.parse(toString(payload, 'utf8'))
  } catch (cause) {
    throw new WireError('NETWORK_MALFORMED', 'payload is not JSON', { cause })
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new WireError('NETWORK_MALFORMED', 'payload is not a JSON object')
  return o as Record<string, unknown>
}

function checkKey(k: string): string {
  if (!STATE_KEY_RE.test(k)) throw new WireError('NETWORK_MALFORMED', `not a state key: ${k.slice(0, 140)}`)
  return k
}

class Writer {
  private chunks: Uint8Array[] = []
  private size = 0
  private push(b: Uint8Array): void {
    this.chunks.push(b)
    this.size += b.length
  }
  u8(v: number): void {
    this.push(Uint8Array.of(v))
  }
  u32(v: number): void {
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, v)
    this.push(b)
  }
  str16(s: string): void {
    const b = fromString(s, 'utf8')
    if (b.length > 0xffff) throw new WireError('NETWORK_MALFORMED', 'string too long')
    const l = new Uint8Array(2)
    new DataView(l.buffer).setUint16(0, b.length)
    this.push(l)
    this.push(b)
  }
  bytes32(b: Uint8Array): void {
    this.u32(b.length)
    this.push(b)
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size)
    let o = 0
    for (const c of this.chunks) {
      out.set(c, o)
      o += c.length
    }
    return out
  }
}

class Reader {
  private o = 0
  private readonly dv: DataView
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  }
  private need(n: number): void {
    if (this.o + n > this.b.length) {
      throw new WireError('NETWORK_TRUNCATED', `payload ends at ${this.b.length} bytes, needs ${this.o + n}`, { details: { size: this.b.length, needed: this.o + n } })
    }
  }
  u8(): number {
    this.need(1)
    return this.dv.getUint8(this.o++)
  }
  u32(): number {
    this.need(4)
    const v = this.dv.getUint32(this.o)
    this.o += 4
    return v
  }
  str16(): string {
    this.need(2)
    const n = this.dv.getUint16(this.o)
    this.o += 2
    this.need(n)
    const s = toString(this.b.subarray(this.o, this.o + n), 'utf8')
    this.o += n
    return s
  }
  bytes32(): Uint8Array {
    const n = this.u32()
    this.need(n)
    const v = this.b.slice(this.o, this.o + n)
    this.o += n
    return v
  }
  end(): void {
    if (this.o !== this.b.length) throw new WireError('NETWORK_MALFORMED', `${this.b.length - this.o} trailing payload bytes`)
  }
}
