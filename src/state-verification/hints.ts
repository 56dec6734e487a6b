/**
 * Hints: cheap, untrusted predictions. An EIP-2930 access list names the accounts and slots a
 * transaction expects to touch but not whether it reads or writes them, and omits the sender,
 * the recipient and the fee payment. The hint built here is therefore conservative where it can
 * be (listed slots are read and written, listed accounts' code is read, the sender's balance and
 * nonce are written, the recipient's balance is written when value moves) and incomplete where
 * the list is (anything unlisted). It is never trusted for correctness: the committer validates
 * every transaction's actual accesses.
 */
import type { Block } from '@ethereumjs/block'
import type { TypedTransaction } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import type { AccessSet } from './access-set.js'
import { tipPerGas } from './static-rules.js'
import type { StateKey } from './state-key.js'

/** True when the tx carries a non-empty EIP-2930 access list. */
export function hasAccessList(tx: TypedTransaction): boolean {
  return 'accessList' in tx && Array.isArray(tx.accessList) && tx.accessList.length > 0
}

/** A hint access set from a transaction's EIP-2930 access list (undefined without one). */
export function accessListHint(tx: TypedTransaction, block?: Block): AccessSet | undefined {
  if (!hasAccessList(tx)) return undefined
  const reads = new Set<StateKey>()
  const writes = new Set<StateKey>()
  const list = (tx as TypedTransaction & { accessList: Array<[Uint8Array, Uint8Array[]]> }).accessList
  for (const [addrBytes, slots] of list) {
    const a = bytesToHex(addrBytes)
    reads.add(`c:${a}`)
    for (const s of slots) {
      const k = `s:${a}:0x${bytesToHex(s).slice(2).padStart(64, '0')}`
      reads.add(k)
      writes.add(k)
    }
  }
  let from: string | undefined
  try {
    from = tx.getSenderAddress().toString()
  } catch {
    from = undefined
  }
  if (from !== undefined) for (const k of [`b:${from}`, `n:${from}`]) {
    reads.add(k)
    writes.add(k)
  }
  if (tx.to !== undefined) {
    const to = tx.to.toString()
    reads.add(`c:${to}`)
    if (tx.value > 0n) {
      reads.add(`b:${to}`)
      writes.add(`b:${to}`)
    }
  }
  const credits = new Map<string, bigint>()
  if (block !== undefined) {
    // Upper bound: the whole gas limit at the tx's tip.
    const tip = tipPerGas(tx, block)
    if (tip > 0n) credits.set(block.header.coinbase.toString(), tx.gasLimit * tip)
  }
  return { reads, writes, credits }
}
