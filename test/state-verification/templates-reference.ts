/**
 * Reference for `applyTemplate`: the straightforward string form it had before it was compiled
 * to byte reads (every word a 0x-hex string, mapping slots hashed from hex). The property test
 * in templates.test.ts checks the product's predictions against it.
 */
import type { TypedTransaction } from '@ethereumjs/tx'
import { keccak_256 } from '@noble/hashes/sha3.js'
import type { AccessSet, AccessTemplate, TemplateSource as Source } from '../../src/state-verification/index.js'

const MAX_ARGS = 8
const MAX_AL = 4

interface TxWords {
  sender: string
  to: string
  args: string[]
  al: string[]
}

const hex = (b: Uint8Array, off = 0, len = b.length - off): string => `0x${Buffer.from(b.buffer, b.byteOffset + off, len).toString('hex')}`
const pad = (hex40: string): string => `0x${'0'.repeat(24)}${hex40.slice(2)}`

function wordsOf(tx: TypedTransaction, sender: string): TxWords | undefined {
  if (tx.to === undefined) return undefined
  const data = tx.data
  const args: string[] = []
  for (let i = 0; i < MAX_ARGS && 4 + 32 * (i + 1) <= data.length; i++) args.push(hex(data, 4 + 32 * i, 32))
  const al: string[] = []
  const list = (tx as { accessList?: unknown }).accessList
  if (Array.isArray(list)) for (const item of list.slice(0, MAX_AL)) al.push(hex((item as [Uint8Array, Uint8Array[]])[0]))
  return { sender, to: tx.to.toString(), args, al }
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

function mapSlot(key: string, base: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(Buffer.from(key.slice(2), 'hex'), 0)
  buf.set(base, 32)
  return keccak_256(buf)
}

const baseWord = (n: number): Uint8Array => {
  const b = new Uint8Array(32)
  b[31] = n
  return b
}

type SlotRule = NonNullable<AccessTemplate['keys'][number]['slot']>

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

/** The access set `t` predicts for `tx` sent by `sender` (undefined when it does not apply). */
export function referenceApplyTemplate(t: AccessTemplate, tx: TypedTransaction, sender: string): AccessSet | undefined {
  const w = wordsOf(tx, sender)
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
