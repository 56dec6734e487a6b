/**
 * A state snapshot as one flat buffer, read in place: the parent-state replica that worker
 * threads share. Built once on the sending thread into a `SharedArrayBuffer`; a worker reads a
 * key by binary search where it is, without deserializing or converting the snapshot. A replica
 * of a 20,000-holder token (about 100,000 keys) cost each worker about 0.2 s of CPU to
 * deserialize and convert, and held about 160,000 objects in its old generation that every
 * major garbage collection walked; a block's transactions read a few keys each.
 *
 * For lowercase keys (as every caller reads them), reads answer exactly what
 * `snapshotReader(snapshotFromJson(json))` answers (property-tested); keys of either case are
 * read as the same bytes here.
 *
 * Layout (integers little-endian; `u32` at any alignment, read through a DataView):
 * - header: magic `PDS1` (u32), account count N (u32);
 * - N addresses (20 bytes each), sorted;
 * - N record offsets (u32), in address order;
 * - records: flags (u8), balance and nonce lengths (u8, u8: lowercase hex digits), code length
 *   (u32), slot count (u32); balance and nonce as ASCII hex; storage root (32 bytes, if flagged);
 *   code hash (32, if flagged); code; then the slots, sorted by key, 65 bytes each: key (32),
 *   value length (u8), value (left-aligned, zero-padded to 32).
 */
import { KECCAK256_RLP, hexToBytes } from '@ethereumjs/util'
import { hexInto } from '../common/index.js'
import { StateError } from './errors.js'
import { NONEMPTY_STORAGE_ROOT, type StateReader } from './map-state-manager.js'
import type { AccountState, AccountStateJson, StateSnapshotJson } from './snapshot.js'

const MAGIC = 0x31534450 // 'PDS1'
const HEADER = 8
const ADDRESS = 20
const SLOT = 32
const SLOT_ENTRY = SLOT + 1 + 32
const RECORD_FIXED = 1 + 1 + 1 + 4 + 4

const F_ABSENT = 1
const F_COMPLETE = 2
const F_ROOT = 4
const F_CODE_HASH = 8
const F_CODE = 16
const F_NONZERO_SLOT = 32

const EMPTY = new Uint8Array(0)

/** One account of the snapshot, checked and ready to write. */
interface Prepared {
  key: string
  account: AccountStateJson | null
  balance: string
  nonce: string
  code: Uint8Array | undefined
  slots: string[]
  size: number
}

/**
 * Encodes a JSON snapshot into one `SharedArrayBuffer` that worker threads share. Throws a
 * `StateError` (`STATE_SNAPSHOT_INVALID`) for what it cannot encode: hex that is not hex,
 * addresses and slots that are not 20 and 32 bytes, a key given twice in two spellings, a
 * quantity that is not a non-negative number of at most 255 hex digits, roots and code hashes
 * that are not 32 bytes, and slot values over 32 bytes (none of which `snapshotToJson` writes). Keys are written as bytes (hex digits
 * of either case) and sorted as bytes; the common case, keys already sorted (`snapshotToJson`
 * sorts them), is only checked.
 */
export function encodeSnapshot(json: StateSnapshotJson): Uint8Array {
  const keys = Object.keys(json)
  const n = keys.length
  const prepared: Prepared[] = new Array(n)
  let size = HEADER + n * (ADDRESS + 4)
  for (let i = 0; i < n; i++) {
    const p = prepare(keys[i]!, json[keys[i]!]!)
    prepared[i] = p
    size += p.size
  }
  // Offsets are u32.
  if (size > 0xffffffff) throw invalid(`${size} bytes encoded is more than 4 GiB`)
  // Zero-filled, as `writeRecord` expects.
  const out = new Uint8Array(new SharedArrayBuffer(size))
  const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength)
  view.setUint32(0, MAGIC, true)
  view.setUint32(4, n, true)
  let sorted = true
  for (let i = 0; i < n; i++) {
    writeKey(buf, HEADER + i * ADDRESS, keys[i]!, ADDRESS, () => `address ${JSON.stringify(keys[i])}`)
    if (i > 0 && compare(buf, HEADER + (i - 1) * ADDRESS, buf, HEADER + i * ADDRESS, ADDRESS) >= 0) sorted = false
  }
  // Position of each account in the sorted address table.
  const position = sorted ? undefined : sortEntries(buf, HEADER, ADDRESS, n, (k) => `address ${JSON.stringify(keys[k])} is given twice`)
  const offsetsAt = HEADER + n * ADDRESS
  let at = offsetsAt + n * 4
  for (let i = 0; i < n; i++) {
    view.setUint32(offsetsAt + (position?.[i] ?? i) * 4, at, true)
    at = writeRecord(prepared[i]!, buf, view, at)
  }
  return out
}

function prepare(key: string, a: AccountStateJson | null): Prepared {
  if (a === null) return { key, account: null, balance: '', nonce: '', code: undefined, slots: [], size: RECORD_FIXED }
  const balance = quantity(a.balance, `balance of ${key}`)
  const nonce = quantity(a.nonce, `nonce of ${key}`)
  const code = a.code === undefined ? undefined : bytesOf(a.code, `code of ${key}`)
  if (a.storageRoot !== undefined) word(a.storageRoot, `storage root of ${key}`)
  if (a.codeHash !== undefined) word(a.codeHash, `code hash of ${key}`)
  const slots = a.storage === undefined ? [] : Object.keys(a.storage)
  const size =
    RECORD_FIXED + balance.length + nonce.length + (a.storageRoot !== undefined ? 32 : 0) + (a.codeHash !== undefined ? 32 : 0) + (code?.length ?? 0) + slots.length * SLOT_ENTRY
  return { key, account: a, balance, nonce, code, slots, size }
}

function writeRecord(p: Prepared, buf: Buffer, view: DataView, start: number): number {
  const a = p.account
  if (a === null) {
    buf[start] = F_ABSENT
    return start + RECORD_FIXED
  }
  let flags = 0
  if (a.storageComplete === true) flags |= F_COMPLETE
  if (a.storageRoot !== undefined) flags |= F_ROOT
  if (a.codeHash !== undefined) flags |= F_CODE_HASH
  if (p.code !== undefined) flags |= F_CODE
  buf[start + 1] = p.balance.length
  buf[start + 2] = p.nonce.length
  view.setUint32(start + 3, p.code?.length ?? 0, true)
  view.setUint32(start + 7, p.slots.length, true)
  let at = start + RECORD_FIXED
  at += buf.write(p.balance, at, 'latin1')
  at += buf.write(p.nonce, at, 'latin1')
  if (a.storageRoot !== undefined) at = writeBytes(buf, at, word(a.storageRoot, ''))
  if (a.codeHash !== undefined) at = writeBytes(buf, at, word(a.codeHash, ''))
  if (p.code !== undefined) at = writeBytes(buf, at, p.code)
  const storage = a.storage ?? {}
  const first = at
  let sorted = true
  // The buffer is zero-filled: a value shorter than 32 bytes needs no padding written.
  for (let k = 0; k < p.slots.length; k++) {
    const slot = p.slots[k]!
    writeKey(buf, at, slot, SLOT, () => `slot ${JSON.stringify(slot)} of ${p.key}`)
    if (k > 0 && compare(buf, at - SLOT_ENTRY, buf, at, SLOT) >= 0) sorted = false
    const len = writeValue(buf, at + SLOT + 1, storage[slot], () => `value of slot ${slot} of ${p.key}`)
    if (len > 0) flags |= F_NONZERO_SLOT
    buf[at + SLOT] = len
    at += SLOT_ENTRY
  }
  if (!sorted) sortEntries(buf, first, SLOT_ENTRY, p.slots.length, (k) => `slot ${JSON.stringify(p.slots[k])} of ${p.key} is given twice`, SLOT)
  buf[start] = flags
  return at
}

/** Writes a 0x-hex key of exactly `size` bytes (hex digits of either case). */
function writeKey(buf: Buffer, at: number, key: string, size: number, what: () => string): void {
  if (key.length !== 2 + 2 * size || key.charCodeAt(0) !== 48 || key.charCodeAt(1) !== 120 || !hexInto(key, 2, buf, at, size)) {
    throw invalid(`${what()} is not 0x and ${2 * size} hex digits`)
  }
}

/**
 * Sorts `count` entries of `stride` bytes at `at` in place by their first `keySize` bytes;
 * returns each entry's new position by its old one. Equal keys are an error.
 */
function sortEntries(buf: Buffer, at: number, stride: number, count: number, duplicate: (k: number) => string, keySize = stride): number[] {
  const copy = Buffer.from(buf.subarray(at, at + count * stride))
  const order = Array.from({ length: count }, (_, k) => k).sort((x, y) => compare(copy, x * stride, copy, y * stride, keySize))
  const position = new Array<number>(count)
  for (let j = 0; j < count; j++) {
    const k = order[j]!
    if (j > 0 && compare(copy, order[j - 1]! * stride, copy, k * stride, keySize) === 0) throw invalid(duplicate(k))
    copy.copy(buf, at + j * stride, k * stride, (k + 1) * stride)
    position[k] = j
  }
  return position
}

/** Writes a slot value's bytes at `at` (zero-filled); returns their count (at most 32). */
function writeValue(buf: Buffer, at: number, v: unknown, what: () => string): number {
  if (typeof v === 'string' && v.length <= 2 + 64 && v.length % 2 === 0 && v.charCodeAt(0) === 48 && v.charCodeAt(1) === 120) {
    const n = (v.length - 2) / 2
    if (hexInto(v, 2, buf, at, n)) return n
  }
  const b = bytesOf(v, what())
  if (b.length > 32) throw invalid(`${what()} is longer than 32 bytes`)
  buf.fill(0, at, at + 32)
  buf.set(b, at)
  return b.length
}

function writeBytes(buf: Buffer, at: number, b: Uint8Array): number {
  buf.set(b, at)
  return at + b.length
}

/** A quantity's minimal lowercase hex digits (`0` for zero). */
function quantity(h: unknown, what: string): string {
  if (typeof h !== 'string') throw invalid(`${what} is not a string`)
  let v: bigint
  try {
    v = BigInt(h)
  } catch {
    throw invalid(`${what} is not a number: ${JSON.stringify(h.slice(0, 80))}`)
  }
  if (v < 0n) throw invalid(`${what} is negative`)
  const hex = v.toString(16)
  if (hex.length > 255) throw invalid(`${what} has more than 255 hex digits`)
  return hex
}

/** Bytes of 0x-hex as the JSON form reads them (odd lengths left-padded). */
function bytesOf(h: unknown, what: string): Uint8Array {
  if (typeof h !== 'string' || !h.startsWith('0x')) throw invalid(`${what} is not 0x-hex`)
  if (h.length % 2 === 0) {
    const b = new Uint8Array((h.length - 2) / 2)
    if (hexInto(h, 2, b, 0, b.length)) return b
  }
  try {
    return hexToBytes(h as `0x${string}`)
  } catch {
    throw invalid(`${what} is not 0x-hex`)
  }
}

function word(h: unknown, what: string): Uint8Array {
  const b = bytesOf(h, what)
  if (b.length !== 32) throw invalid(`${what} is not 32 bytes`)
  return b
}

function invalid(message: string): StateError {
  return new StateError('STATE_SNAPSHOT_INVALID', `snapshot: ${message}`)
}

/** Reads an encoded snapshot in place (see `encodeSnapshot`). */
export class BinarySnapshotReader implements StateReader {
  private readonly bytes: Uint8Array
  private readonly buf: Buffer
  private readonly view: DataView
  private readonly count: number
  private readonly offsetsAt: number
  /** Record offset of each address looked up (-1: not in the snapshot). */
  private readonly records = new Map<string, number>()
  private readonly key = Buffer.alloc(SLOT)

  constructor(bytes: Uint8Array) {
    // A plain Uint8Array over the same memory: its `slice` copies into an unshared buffer (a
    // Buffer's would return a view), so nothing a caller gets back aliases the replica.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    if (bytes.length < HEADER || this.view.getUint32(0, true) !== MAGIC) throw new StateError('STATE_SNAPSHOT_INVALID', 'snapshot: not an encoded snapshot (bad magic)')
    this.count = this.view.getUint32(4, true)
    this.offsetsAt = HEADER + this.count * ADDRESS
    if (this.offsetsAt + this.count * 4 > bytes.length) throw new StateError('STATE_SNAPSHOT_INVALID', 'snapshot: truncated account table')
  }

  /** Number of entries (accounts, and addresses known to be absent). */
  get size(): number {
    return this.count
  }

  async getAccount(address: string): Promise<AccountState | null> {
    const r = this.record(address)
    if (r < 0) return null
    const b = this.bytes
    const flags = b[r]!
    if ((flags & F_ABSENT) !== 0) return null
    const balLen = b[r + 1]!
    const nonceLen = b[r + 2]!
    const codeLen = this.view.getUint32(r + 3, true)
    let at = r + RECORD_FIXED
    const balance = BigInt(`0x${this.buf.toString('latin1', at, at + balLen)}`)
    at += balLen
    const nonce = BigInt(`0x${this.buf.toString('latin1', at, at + nonceLen)}`)
    at += nonceLen
    const out: AccountState = { balance, nonce }
    let storageRoot: Uint8Array | undefined
    if ((flags & F_ROOT) !== 0) {
      storageRoot = b.slice(at, at + 32)
      at += 32
    }
    if ((flags & F_CODE_HASH) !== 0) {
      out.codeHash = b.slice(at, at + 32)
      at += 32
    }
    if ((flags & F_CODE) !== 0) out.code = b.slice(at, at + codeLen)
    if (storageRoot !== undefined) out.storageRoot = storageRoot
    else if ((flags & F_COMPLETE) !== 0) out.storageRoot = (flags & F_NONZERO_SLOT) !== 0 ? NONEMPTY_STORAGE_ROOT : KECCAK256_RLP
    return out
  }

  async getCode(address: string): Promise<Uint8Array> {
    const r = this.record(address)
    if (r < 0 || (this.bytes[r]! & (F_ABSENT | F_CODE)) !== F_CODE) return EMPTY
    return this.bytes.slice(this.codeAt(r), this.codeAt(r) + this.view.getUint32(r + 3, true))
  }

  async getStorage(address: string, slot: string): Promise<Uint8Array> {
    const r = this.record(address)
    if (r < 0 || (this.bytes[r]! & F_ABSENT) !== 0) return EMPTY
    const n = this.view.getUint32(r + 7, true)
    if (n === 0 || !this.readKey(slot, SLOT)) return EMPTY
    const base = this.codeAt(r) + this.view.getUint32(r + 3, true)
    let lo = 0
    let hi = n - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const at = base + mid * SLOT_ENTRY
      const c = compare(this.key, 0, this.bytes, at, SLOT)
      if (c === 0) {
        const len = this.bytes[at + SLOT]!
        return len === 0 ? EMPTY : this.bytes.slice(at + SLOT + 1, at + SLOT + 1 + len)
      }
      if (c < 0) hi = mid - 1
      else lo = mid + 1
    }
    return EMPTY
  }

  /** Where an account's code starts (after the fixed part, quantities and hashes). */
  private codeAt(r: number): number {
    const flags = this.bytes[r]!
    return r + RECORD_FIXED + this.bytes[r + 1]! + this.bytes[r + 2]! + ((flags & F_ROOT) !== 0 ? 32 : 0) + ((flags & F_CODE_HASH) !== 0 ? 32 : 0)
  }

  /** Puts a 0x-hex key of `size` bytes into `this.key`; false if it is not one. */
  private readKey(key: string, size: number): boolean {
    return key.length === 2 + 2 * size && key.charCodeAt(0) === 48 && key.charCodeAt(1) === 120 && hexInto(key, 2, this.key, 0, size)
  }

  private record(address: string): number {
    const known = this.records.get(address)
    if (known !== undefined) return known
    let found = -1
    if (this.readKey(address, ADDRESS)) {
      let lo = 0
      let hi = this.count - 1
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1
        const c = compare(this.key, 0, this.bytes, HEADER + mid * ADDRESS, ADDRESS)
        if (c === 0) {
          found = this.view.getUint32(this.offsetsAt + mid * 4, true)
          break
        }
        if (c < 0) hi = mid - 1
        else lo = mid + 1
      }
    }
    this.records.set(address, found)
    return found
  }
}

function compare(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const d = a[ao + i]! - b[bo + i]!
    if (d !== 0) return d
  }
  return 0
}
