/**
 * Access templates: cheap prediction for calls that repeat a pattern. From the traced access
 * set of a call (to, selector), every key is explained in terms of the transaction — its
 * sender, its `to`, a calldata word, an address of its EIP-2930 access list (how a router call
 * names the pool it derives with CREATE2), or a constant — with storage slots derived the way
 * Solidity lays out mappings (keccak(key . slot), and keccak(inner . keccak(outer . slot)) for
 * nested mappings). A template is trusted once a second traced call of the same shape yields
 * the same explanation; then further calls of that shape are predicted without executing them.
 *
 * Some accounts a call touches are named nowhere in it: a router derives the pool from the two
 * token addresses in its path. Such a template is keyed: its constants hold for calls with the
 * same address-valued arguments (the sender's own address aside). Once two examples of a shape
 * agree on its structure (the same explanation up to those constants), one traced example per
 * key predicts every other call with that key.
 * Predictions only decide grouping: the committer validates every actual access, so a wrong
 * template costs a repair, never correctness.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { keccak256 as keccak_256 } from '../crypto/keccak.js'
import type { AccessSet } from './access-set.js'

/** Where a word (or an address) of a template comes from. */
export type Source = { k: 'sender' } | { k: 'to' } | { k: 'arg'; i: number } | { k: 'al'; i: number } | { k: 'const'; v: string }

type SlotRule = { k: 'word'; w: Source } | { k: 'map'; key: Source; base: number } | { k: 'map2'; outer: Source; inner: Source; base: number }

interface KeyRule {
  kind: 'b' | 'n' | 'c' | 's'
  addr: Source
  slot?: SlotRule
  read: boolean
  write: boolean
}

/** A learned explanation of one call shape's accesses. */
export interface AccessTemplate {
  keys: KeyRule[]
  credits: Source[]
  /** Names accounts by constants that only hold for calls with the same key (`keyOf`). */
  keyed?: true
}

const MAX_ARGS = 8
/** Access-list addresses a template may name. */
const MAX_AL = 4
const MAX_BASE = 16
/** Disagreeing examples after which a call shape is not templated. */
const MAX_ATTEMPTS = 3

interface TxWords {
  sender: string
  to: string
  args: string[]
  /** Addresses of the transaction's EIP-2930 access list, in order. */
  al: string[]
}

const pad = (hex40: string): string => `0x${'0'.repeat(24)}${hex40.slice(2)}`

function wordsOf(tx: TypedTransaction, senderHex?: string): TxWords | undefined {
  if (tx.to === undefined) return undefined
  let sender: string
  try {
    sender = senderHex ?? tx.getSenderAddress().toString()
  } catch {
    return undefined
  }
  const data = tx.data
  const args: string[] = []
  for (let i = 0; i < MAX_ARGS && 4 + 32 * (i + 1) <= data.length; i++) args.push(hex(data, 4 + 32 * i, 32))
  const al: string[] = []
  const list = (tx as { accessList?: unknown }).accessList
  if (Array.isArray(list)) for (const item of list.slice(0, MAX_AL)) al.push(hex((item as [Uint8Array, Uint8Array[]])[0]))
  return { sender, to: tx.to.toString(), args, al }
}

/** 0x-hex of `len` bytes of `b` from `off` (native, no copy). */
function hex(b: Uint8Array, off = 0, len = b.length - off): string {
  return `0x${Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex')}`
}

/** The shape key of a call: to, selector, calldata length and whether it carries value. */
export function shapeOf(tx: TypedTransaction): string | undefined {
  if (tx.to === undefined || tx.data.length < 4) return undefined
  return `${tx.to.toString()}:${hex(tx.data, 0, 4)}:${tx.data.length}:${tx.value > 0n ? 'v' : '0'}`
}

function wordOf(s: Source, w: TxWords): string | undefined {
  switch (s.k) {
    case 'sender':
      return pad(w.sender)
    case 'to':
      return pad(w.to)
    case 'arg':
      return w.args[s.i]
    case 'al': {
      const a = w.al[s.i]
      return a === undefined ? undefined : pad(a)
    }
    case 'const':
      return s.v
  }
}

function addrOf(s: Source, w: TxWords): string | undefined {
  const word = wordOf(s, w)
  if (word === undefined || !word.startsWith(`0x${'0'.repeat(24)}`)) return undefined
  return `0x${word.slice(26)}`
}

const baseWord = (n: number): Uint8Array => {
  const b = new Uint8Array(32)
  b[31] = n
  return b
}

function hexBytes(h: string): Uint8Array {
  return Buffer.from(h.slice(2), 'hex')
}

function mapSlot(key: string, base: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(hexBytes(key), 0)
  buf.set(base, 32)
  return keccak_256(buf)
}

function slotOf(r: SlotRule, w: TxWords): string | undefined {
  if (r.k === 'word') return wordOf(r.w, w)
  if (r.k === 'map') {
    const key = wordOf(r.key, w)
    return key === undefined ? undefined : hex(mapSlot(key, baseWord(r.base)))
  }
  const outer = wordOf(r.outer, w)
  const inner = wordOf(r.inner, w)
  if (outer === undefined || inner === undefined) return undefined
  return hex(mapSlot(inner, mapSlot(outer, baseWord(r.base))))
}

function candidates(w: TxWords): Source[] {
  return [{ k: 'sender' }, { k: 'to' }, ...w.args.map((_, i): Source => ({ k: 'arg', i })), ...w.al.map((_, i): Source => ({ k: 'al', i }))]
}

function explainAddr(addr: string, w: TxWords): Source {
  for (const s of candidates(w)) if (addrOf(s, w) === addr) return s
  return { k: 'const', v: pad(addr) }
}

/** One- and two-level mapping slots the candidate words derive (first derivation wins), built on first need, once per explained call. */
interface SlotTables {
  map?: Map<string, SlotRule>
  map2?: Map<string, SlotRule>
}

/** True when a calldata word holds an address-like value of at least `min` (amounts, offsets and flags are smaller). */
const addressLike = (word: string, min: bigint): boolean => word.startsWith(`0x${'0'.repeat(24)}`) && BigInt(word) >= min

function mapTable(w: TxWords): Map<string, SlotRule> {
  const map = new Map<string, SlotRule>()
  for (const key of candidates(w)) {
    const kw = wordOf(key, w)!
    for (let b = 0; b < MAX_BASE; b++) {
      const h = bytesToHex(mapSlot(kw, baseWord(b)))
      if (!map.has(h)) map.set(h, { k: 'map', key, base: b })
    }
  }
  return map
}

/** Lowest word counted as an address key of a nested mapping (smaller words are amounts, offsets, flags). */
const NESTED_KEY_MIN = 1n << 64n

function map2Table(w: TxWords): Map<string, SlotRule> {
  // Nested mappings are keyed by addresses (allowance[owner][spender]): only address-like words,
  // each word once.
  const seen = new Set<string>()
  const c = candidates(w).filter((x) => {
    const word = wordOf(x, w)!
    if (seen.has(word) || !addressLike(word, NESTED_KEY_MIN)) return false
    seen.add(word)
    return true
  })
  const m = new Map<string, SlotRule>()
  for (const outer of c) {
    const ow = wordOf(outer, w)!
    for (let b = 0; b < MAX_BASE; b++) {
      const inner0 = mapSlot(ow, baseWord(b))
      for (const inner of c) {
        const h = bytesToHex(mapSlot(wordOf(inner, w)!, inner0))
        if (!m.has(h)) m.set(h, { k: 'map2', outer, inner, base: b })
      }
    }
  }
  return m
}

function explainSlot(slot: string, w: TxWords, t: SlotTables): SlotRule {
  const c = candidates(w)
  for (const s of c) if (wordOf(s, w) === slot) return { k: 'word', w: s }
  if (BigInt(slot) < 1n << 32n) return { k: 'word', w: { k: 'const', v: slot } }
  const m = (t.map ??= mapTable(w)).get(slot)
  if (m !== undefined) return m
  const m2 = (t.map2 ??= map2Table(w)).get(slot)
  return m2 ?? { k: 'word', w: { k: 'const', v: slot } }
}

/** Explains a traced access set in terms of its transaction (undefined when the tx has no shape). */
export function learnTemplate(tx: TypedTransaction, access: AccessSet): AccessTemplate | undefined {
  const w = wordsOf(tx)
  if (w === undefined) return undefined
  const keys = new Map<string, KeyRule>()
  const tables: SlotTables = {}
  const add = (key: string, read: boolean, write: boolean): void => {
    const prev = keys.get(key)
    if (prev !== undefined) {
      prev.read ||= read
      prev.write ||= write
      return
    }
    const kind = key[0] as KeyRule['kind']
    const rule: KeyRule = { kind, addr: explainAddr(key.slice(2, 44), w), read, write }
    if (kind === 's') rule.slot = explainSlot(key.slice(45), w, tables)
    keys.set(key, rule)
  }
  for (const k of access.reads) add(k, true, false)
  for (const k of access.writes) add(k, false, true)
  const t: AccessTemplate = { keys: [...keys.values()], credits: [...access.credits.keys()].map((a) => explainAddr(a, w)) }
  // An account that neither the sender, `to`, a calldata word nor the access list names (a pool
  // a router derives with CREATE2, unlisted) may differ from call to call: keyed.
  if (t.keys.some((r) => r.addr.k === 'const')) t.keyed = true
  return t
}

/** Lowest value a calldata word must have to count as an address in a key (amounts, deadlines and flags are below it). */
const ADDRESS_WORD_MIN = 1n << 128n

/**
 * The key of a call for keyed templates: its shape and the sorted address-valued calldata words
 * other than the sender's own address.
 */
export function keyOf(tx: TypedTransaction, senderHex?: string): string | undefined {
  const shape = shapeOf(tx)
  const w = shape === undefined ? undefined : wordsOf(tx, senderHex)
  if (shape === undefined || w === undefined) return undefined
  const own = pad(w.sender)
  const addrs = new Set<string>()
  for (const a of w.args) if (a !== own && addressLike(a, ADDRESS_WORD_MIN)) addrs.add(a.slice(26))
  return `${shape}|${[...addrs].sort().join(',')}`
}

/** A template's explanation with its constants blanked: equal structures differ only by key. */
function structureOf(t: AccessTemplate): string {
  const src = (x: Source): string => (x.k === 'const' ? 'C' : x.k === 'arg' || x.k === 'al' ? `${x.k}${x.i}` : x.k)
  const slot = (r: SlotRule | undefined): string => {
    if (r === undefined) return ''
    if (r.k === 'word') return `w(${src(r.w)})`
    if (r.k === 'map') return `m(${src(r.key)},${r.base})`
    return `m2(${src(r.outer)},${src(r.inner)},${r.base})`
  }
  const keys = t.keys.map((r) => `${r.kind}${src(r.addr)}${slot(r.slot)}${r.read ? 'r' : ''}${r.write ? 'w' : ''}`).sort()
  return `${keys.join(';')}|${t.credits.map(src).sort().join(',')}`
}

/** Predicts a transaction's access set from a template (undefined when it does not apply). */
export function applyTemplate(t: AccessTemplate, tx: TypedTransaction, senderHex?: string): AccessSet | undefined {
  const w = wordsOf(tx, senderHex)
  if (w === undefined) return undefined
  const reads = new Set<string>()
  const writes = new Set<string>()
  for (const r of t.keys) {
    const addr = addrOf(r.addr, w)
    if (addr === undefined) return undefined
    let key = `${r.kind}:${addr}`
    if (r.kind === 's') {
      const slot = r.slot === undefined ? undefined : slotOf(r.slot, w)
      if (slot === undefined) return undefined
      key = `s:${addr}:${slot}`
    }
    if (r.read) reads.add(key)
    if (r.write) writes.add(key)
  }
  const credits = new Map<string, bigint>()
  for (const c of t.credits) {
    const a = addrOf(c, w)
    if (a === undefined) return undefined
    credits.set(a, 1n)
  }
  return { reads, writes, credits }
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x))

/**
 * Learned templates by call shape. `observe` feeds traced calls; a shape's template becomes
 * usable once a second traced call is predicted exactly by the template of the first.
 */
export class TemplateStore {
  private readonly pending = new Map<string, AccessTemplate>()
  private readonly trusted = new Map<string, AccessTemplate>()
  private readonly refuted = new Set<string>()
  private readonly attempts = new Map<string, number>()
  /** Keyed shapes: the structure two examples agreed on (confirmed) or the first one's (not yet). */
  private readonly structures = new Map<string, { s: string; confirmed: boolean }>()
  /** Keyed templates by `keyOf`. */
  private readonly byKey = new Map<string, AccessTemplate>()

  /** Number of trusted templates (keyed ones count per key). */
  get size(): number {
    return this.trusted.size + this.byKey.size
  }

  /** True when calls of this shape are predicted by a trusted template. */
  has(shape: string): boolean {
    return this.trusted.has(shape)
  }

  /** True when the shape still needs traced examples (not trusted, not refuted, not a confirmed keyed shape). */
  wants(shape: string): boolean {
    return !this.trusted.has(shape) && !this.refuted.has(shape) && this.structures.get(shape)?.confirmed !== true
  }

  /** The key a call still needs one traced example for (a confirmed keyed shape, unseen key), else undefined. */
  wantsKey(tx: TypedTransaction, senderHex?: string): string | undefined {
    const shape = shapeOf(tx)
    if (shape === undefined || this.structures.get(shape)?.confirmed !== true) return undefined
    const key = keyOf(tx, senderHex)
    return key === undefined || this.byKey.has(key) ? undefined : key
  }

  /** Learns from a traced call (only successful, included calls are representative). */
  observe(tx: TypedTransaction, access: AccessSet): void {
    const shape = shapeOf(tx)
    if (shape === undefined || this.trusted.has(shape) || this.refuted.has(shape)) return
    const learned = learnTemplate(tx, access)
    if (learned?.keyed === true) {
      this.observeKeyed(shape, tx, learned)
      return
    }
    const prev = this.pending.get(shape)
    if (prev === undefined) {
      if (learned !== undefined) this.pending.set(shape, learned)
      return
    }
    const predicted = applyTemplate(prev, tx)
    if (predicted !== undefined && sameSet(predicted.reads, access.reads) && sameSet(predicted.writes, access.writes)) {
      this.trusted.set(shape, prev)
      this.pending.delete(shape)
      return
    }
    // The examples disagree: learn from the newer one; after a few failures, give up on the shape.
    if (this.fail(shape) || learned === undefined) {
      this.refuted.add(shape)
      this.pending.delete(shape)
    } else this.pending.set(shape, learned)
  }

  /** Counts a disagreement; true (and the shape refuted) after MAX_ATTEMPTS. */
  private fail(shape: string): boolean {
    const n = (this.attempts.get(shape) ?? 0) + 1
    this.attempts.set(shape, n)
    if (n < MAX_ATTEMPTS) return false
    this.refuted.add(shape)
    return true
  }

  private observeKeyed(shape: string, tx: TypedTransaction, t: AccessTemplate): void {
    const key = keyOf(tx)
    if (key === undefined) return
    const s = structureOf(t)
    const known = this.structures.get(shape)
    if (known === undefined) this.structures.set(shape, { s, confirmed: false })
    else if (known.s === s) known.confirmed = true
    else if (known.confirmed) return // an odd call of a confirmed shape: no template for its key
    else {
      // The first two examples disagree on the structure: start over from this one.
      if (this.fail(shape)) {
        this.structures.delete(shape)
        return
      }
      this.structures.set(shape, { s, confirmed: false })
    }
    this.byKey.set(key, t)
  }

  /** Predicts from a trusted template. */
  /** `senderHex`: the transaction's sender (0x-lowercase) when already known (saves recomputing it). */
  predict(tx: TypedTransaction, senderHex?: string): AccessSet | undefined {
    const shape = shapeOf(tx)
    if (shape === undefined) return undefined
    const t = this.trusted.get(shape)
    const plain = t === undefined ? undefined : applyTemplate(t, tx, senderHex)
    if (plain !== undefined || this.structures.get(shape)?.confirmed !== true) return plain
    const key = keyOf(tx, senderHex)
    const k = key === undefined ? undefined : this.byKey.get(key)
    return k === undefined ? undefined : applyTemplate(k, tx, senderHex)
  }
}
