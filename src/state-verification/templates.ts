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
import type { TxFields } from './tx-fields.js'
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

function wordsOf(tx: TxFields, senderHex?: string): TxWords | undefined {
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
export function shapeOf(tx: TxFields): string | undefined {
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
export function keyOf(tx: TxFields, senderHex?: string, shape: string | undefined = shapeOf(tx)): string | undefined {
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

/**
 * A template compiled for prediction: every source is a small integer (sender 0, `to` 1,
 * calldata words from 2, access-list addresses from ARG_END, constants from CONST_BASE), and
 * constants are decoded to bytes once, so predicting a call reads its words as bytes and builds
 * one hex string per key.
 */
interface CompiledTemplate {
  keys: { kind: KeyRule['kind']; addr: number; slot?: { k: 'word'; w: number } | { k: 'map'; key: number; base: number } | { k: 'map2'; outer: number; inner: number; base: number }; read: boolean; write: boolean }[]
  credits: number[]
  consts: Uint8Array[]
}

const ARG_END = 2 + MAX_ARGS
const CONST_BASE = ARG_END + MAX_AL
const compiledTemplates = new WeakMap<AccessTemplate, CompiledTemplate>()

function compile(t: AccessTemplate): CompiledTemplate {
  let c = compiledTemplates.get(t)
  if (c !== undefined) return c
  const consts: Uint8Array[] = []
  const src = (x: Source): number => {
    switch (x.k) {
      case 'sender':
        return 0
      case 'to':
        return 1
      case 'arg':
        return 2 + x.i
      case 'al':
        return ARG_END + x.i
      case 'const':
        consts.push(hexBytes(x.v))
        return CONST_BASE + consts.length - 1
    }
  }
  const keys = t.keys.map((r) => {
    const addr = src(r.addr)
    const sr = r.slot
    const slot = sr === undefined ? undefined : sr.k === 'word' ? { k: 'word' as const, w: src(sr.w) } : sr.k === 'map' ? { k: 'map' as const, key: src(sr.key), base: sr.base } : { k: 'map2' as const, outer: src(sr.outer), inner: src(sr.inner), base: sr.base }
    return { kind: r.kind, addr, ...(slot !== undefined ? { slot } : {}), read: r.read, write: r.write }
  })
  c = { keys, credits: t.credits.map(src), consts }
  compiledTemplates.set(t, c)
  return c
}

/** A call's words as bytes, each looked up once per prediction. */
class CallWords {
  private readonly words: (Uint8Array | null | undefined)[] = []
  private readonly addrs: (string | null | undefined)[] = []
  constructor(
    private readonly tx: TxFields,
    private readonly sender: string,
    private readonly consts: Uint8Array[],
  ) {}

  /** The 32-byte word of source `s` (undefined when the call has no such word). */
  word(s: number): Uint8Array | undefined {
    let w = this.words[s]
    if (w === undefined) {
      w = this.compute(s) ?? null
      this.words[s] = w
    }
    return w ?? undefined
  }

  private compute(s: number): Uint8Array | undefined {
    if (s >= CONST_BASE) return this.consts[s - CONST_BASE]
    if (s >= 2 && s < ARG_END) {
      const off = 4 + 32 * (s - 2)
      const data = this.tx.data
      return off + 32 <= data.length ? data.subarray(off, off + 32) : undefined
    }
    let a: Uint8Array | undefined
    if (s === 0) a = hexBytes(this.sender)
    else if (s === 1) a = this.tx.to?.bytes
    else {
      const list = (this.tx as { accessList?: unknown }).accessList
      const item = Array.isArray(list) ? (list[s - ARG_END] as [Uint8Array, Uint8Array[]] | undefined) : undefined
      a = item?.[0]
    }
    if (a === undefined) return undefined
    const w = new Uint8Array(32)
    w.set(a, 32 - a.length)
    return w
  }

  /** The address (0x-hex) source `s` names: its word with 12 leading zero bytes. */
  addr(s: number): string | undefined {
    let a = this.addrs[s]
    if (a === undefined) {
      if (s === 0) a = this.sender
      else {
        const w = this.word(s)
        a = w === undefined || !zeroPrefix(w) ? null : hex(w, 12, 20)
      }
      this.addrs[s] = a
    }
    return a ?? undefined
  }
}

function zeroPrefix(w: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (w[i] !== 0) return false
  return true
}

/** Reused input of the mapping-slot hash (one thread, synchronous use). */
const slotInput = new Uint8Array(64)

/** keccak(key . slot) where `base` is either a small slot number or a 32-byte word. */
function mapSlotOf(key: Uint8Array, base: number | Uint8Array): Uint8Array {
  slotInput.set(key, 0)
  if (typeof base === 'number') {
    slotInput.fill(0, 32)
    slotInput[63] = base
  } else slotInput.set(base, 32)
  return keccak_256(slotInput)
}

/** Predicts a transaction's access set from a template (undefined when it does not apply). */
export function applyTemplate(t: AccessTemplate, tx: TxFields, senderHex?: string): AccessSet | undefined {
  if (tx.to === undefined) return undefined
  let sender = senderHex
  if (sender === undefined) {
    try {
      sender = tx.getSenderAddress().toString()
    } catch {
      return undefined
    }
  }
  const c = compile(t)
  const w = new CallWords(tx, sender, c.consts)
  const reads = new Set<string>()
  const writes = new Set<string>()
  for (const r of c.keys) {
    const addr = w.addr(r.addr)
    if (addr === undefined) return undefined
    let key: string
    if (r.kind === 's') {
      const sr = r.slot
      let slot: Uint8Array | undefined
      if (sr === undefined) return undefined
      if (sr.k === 'word') slot = w.word(sr.w)
      else if (sr.k === 'map') {
        const k = w.word(sr.key)
        slot = k === undefined ? undefined : mapSlotOf(k, sr.base)
      } else {
        const outer = w.word(sr.outer)
        const inner = w.word(sr.inner)
        slot = outer === undefined || inner === undefined ? undefined : mapSlotOf(inner, mapSlotOf(outer, sr.base))
      }
      if (slot === undefined) return undefined
      key = `s:${addr}:${hex(slot)}`
    } else key = `${r.kind}:${addr}`
    if (r.read) reads.add(key)
    if (r.write) writes.add(key)
  }
  const credits = new Map<string, bigint>()
  for (const s of c.credits) {
    const a = w.addr(s)
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
  wantsKey(tx: TxFields, senderHex?: string, shape: string | undefined = shapeOf(tx)): string | undefined {
    if (shape === undefined || this.structures.get(shape)?.confirmed !== true) return undefined
    const key = keyOf(tx, senderHex, shape)
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
  /** `senderHex`: the transaction's sender (0x-lowercase) when already known, `shape` its `shapeOf` (both save recomputing). */
  predict(tx: TxFields, senderHex?: string, shape: string | undefined = shapeOf(tx)): AccessSet | undefined {
    if (shape === undefined) return undefined
    const t = this.trusted.get(shape)
    const plain = t === undefined ? undefined : applyTemplate(t, tx, senderHex)
    if (plain !== undefined || this.structures.get(shape)?.confirmed !== true) return plain
    const key = keyOf(tx, senderHex, shape)
    const k = key === undefined ? undefined : this.byKey.get(key)
    return k === undefined ? undefined : applyTemplate(k, tx, senderHex)
  }
}
