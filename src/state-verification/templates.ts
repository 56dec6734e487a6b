/**
 * Access templates: cheap prediction for calls that repeat a pattern. From the traced access
 * set of a call (to, selector), every key is explained in terms of the transaction — its
 * sender, its `to`, a calldata word, or a constant — with storage slots derived the way
 * Solidity lays out mappings (keccak(key . slot), and keccak(inner . keccak(outer . slot)) for
 * nested mappings). A template is trusted once a second traced call of the same shape yields
 * the same explanation; then further calls of that shape are predicted without executing them.
 * Predictions only decide grouping: the committer validates every actual access, so a wrong
 * template costs a repair, never correctness.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { keccak256 as keccak_256 } from '../crypto/keccak.js'
import type { AccessSet } from './access-set.js'

/** Where a word (or an address) of a template comes from. */
export type Source = { k: 'sender' } | { k: 'to' } | { k: 'arg'; i: number } | { k: 'const'; v: string }

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
}

const MAX_ARGS = 8
const MAX_BASE = 16
/** Disagreeing examples after which a call shape is not templated. */
const MAX_ATTEMPTS = 3

interface TxWords {
  sender: string
  to: string
  args: string[]
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
  return { sender, to: tx.to.toString(), args }
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
  return [{ k: 'sender' }, { k: 'to' }, ...w.args.map((_, i): Source => ({ k: 'arg', i }))]
}

function explainAddr(addr: string, w: TxWords): Source {
  for (const s of candidates(w)) if (addrOf(s, w) === addr) return s
  return { k: 'const', v: pad(addr) }
}

function explainSlot(slot: string, w: TxWords): SlotRule {
  const c = candidates(w)
  for (const s of c) if (wordOf(s, w) === slot) return { k: 'word', w: s }
  if (BigInt(slot) < 1n << 32n) return { k: 'word', w: { k: 'const', v: slot } }
  const target = slot
  for (const key of c) {
    const kw = wordOf(key, w)!
    for (let b = 0; b < MAX_BASE; b++) if (bytesToHex(mapSlot(kw, baseWord(b))) === target) return { k: 'map', key, base: b }
  }
  for (const outer of c) {
    const ow = wordOf(outer, w)!
    for (let b = 0; b < MAX_BASE; b++) {
      const inner0 = mapSlot(ow, baseWord(b))
      for (const inner of c) if (bytesToHex(mapSlot(wordOf(inner, w)!, inner0)) === target) return { k: 'map2', outer, inner, base: b }
    }
  }
  return { k: 'word', w: { k: 'const', v: slot } }
}

/** Explains a traced access set in terms of its transaction (undefined when the tx has no shape). */
export function learnTemplate(tx: TypedTransaction, access: AccessSet): AccessTemplate | undefined {
  const w = wordsOf(tx)
  if (w === undefined) return undefined
  const keys = new Map<string, KeyRule>()
  const add = (key: string, read: boolean, write: boolean): void => {
    const prev = keys.get(key)
    if (prev !== undefined) {
      prev.read ||= read
      prev.write ||= write
      return
    }
    const kind = key[0] as KeyRule['kind']
    const rule: KeyRule = { kind, addr: explainAddr(key.slice(2, 44), w), read, write }
    if (kind === 's') rule.slot = explainSlot(key.slice(45), w)
    keys.set(key, rule)
  }
  for (const k of access.reads) add(k, true, false)
  for (const k of access.writes) add(k, false, true)
  // An account that neither the sender, `to` nor a calldata word names (a pool a router derives
  // with CREATE2, say) may differ from call to call: such calls are not templated.
  if ([...keys.values()].some((r) => r.addr.k === 'const')) return undefined
  return { keys: [...keys.values()], credits: [...access.credits.keys()].map((a) => explainAddr(a, w)) }
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

  /** Number of trusted templates. */
  get size(): number {
    return this.trusted.size
  }

  /** True when calls of this shape are predicted by a trusted template. */
  has(shape: string): boolean {
    return this.trusted.has(shape)
  }

  /** True when the shape still needs traced examples (not trusted, not refuted). */
  wants(shape: string): boolean {
    return !this.trusted.has(shape) && !this.refuted.has(shape)
  }

  /** Learns from a traced call (only successful, included calls are representative). */
  observe(tx: TypedTransaction, access: AccessSet): void {
    const shape = shapeOf(tx)
    if (shape === undefined || this.trusted.has(shape) || this.refuted.has(shape)) return
    const prev = this.pending.get(shape)
    if (prev === undefined) {
      const t = learnTemplate(tx, access)
      if (t !== undefined) this.pending.set(shape, t)
      return
    }
    const predicted = applyTemplate(prev, tx)
    if (predicted !== undefined && sameSet(predicted.reads, access.reads) && sameSet(predicted.writes, access.writes)) {
      this.trusted.set(shape, prev)
      this.pending.delete(shape)
      return
    }
    // The examples disagree: learn from the newer one; after a few failures, give up on the shape.
    const n = (this.attempts.get(shape) ?? 0) + 1
    this.attempts.set(shape, n)
    const t = learnTemplate(tx, access)
    if (t === undefined || n >= MAX_ATTEMPTS) {
      this.refuted.add(shape)
      this.pending.delete(shape)
    } else this.pending.set(shape, t)
  }

  /** Predicts from a trusted template. */
  /** `senderHex`: the transaction's sender (0x-lowercase) when already known (saves recomputing it). */
  predict(tx: TypedTransaction, senderHex?: string): AccessSet | undefined {
    const shape = shapeOf(tx)
    if (shape === undefined) return undefined
    const t = this.trusted.get(shape)
    return t === undefined ? undefined : applyTemplate(t, tx, senderHex)
  }
}
