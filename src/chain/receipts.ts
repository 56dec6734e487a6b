/**
 * OP receipts and the block's ordered tries: receipt encoding (deposit receipts carry
 * `depositNonce` and, from Canyon, `depositReceiptVersion`), logs bloom, receipts and
 * transactions roots.
 */
import type { Log } from '@ethereumjs/evm'
import { orderedTrieRoot as buildOrderedTrieRoot } from '../state/trie/batch-update.js'
import { RLP } from '@ethereumjs/rlp'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { DEPOSIT_TX_TYPE } from './constants.js'

/** One transaction's receipt as committed in the block. */
export interface OpReceipt {
  /** EIP-2718 type (0 legacy, 1, 2, 4, 0x7e deposit). */
  type: number
  status: 0 | 1
  cumulativeGasUsed: bigint
  logs: Log[]
  /** Deposits (Regolith+): the sender nonce before execution. */
  depositNonce?: bigint | undefined
  /** Deposits (Canyon+): 1. */
  depositReceiptVersion?: bigint | undefined
}

/** 2048-bit logs bloom of a set of logs. */
export function logsBloom(logs: Iterable<Log>, into: Uint8Array = new Uint8Array(256)): Uint8Array {
  const add = (x: Uint8Array): void => {
    const h = keccak_256(x)
    for (let i = 0; i < 6; i += 2) {
      const bit = (((h[i] as number) << 8) | (h[i + 1] as number)) & 2047
      const idx = 255 - (bit >> 3)
      into[idx] = (into[idx] as number) | (1 << (bit & 7))
    }
  }
  for (const [address, topics] of logs) {
    add(address)
    for (const t of topics) add(t)
  }
  return into
}

/** EIP-2718 receipt encoding as hashed into the receipts root. */
export function encodeReceipt(r: OpReceipt): Uint8Array {
  const fields: (Uint8Array | Uint8Array[] | (Uint8Array | Uint8Array[])[][])[] = [
    r.status === 1 ? new Uint8Array([1]) : new Uint8Array(0),
    bigIntToUnpaddedBytes(r.cumulativeGasUsed),
    logsBloom(r.logs),
    r.logs.map(([a, t, d]) => [a, t, d]),
  ]
  if (r.type === DEPOSIT_TX_TYPE && r.depositNonce !== undefined) {
    fields.push(bigIntToUnpaddedBytes(r.depositNonce))
    if (r.depositReceiptVersion !== undefined) fields.push(bigIntToUnpaddedBytes(r.depositReceiptVersion))
  }
  const body = RLP.encode(fields)
  if (r.type === 0) return body
  const out = new Uint8Array(body.length + 1)
  out[0] = r.type
  out.set(body, 1)
  return out
}

/** Root of the ordered trie rlp(index) -> value. */
export async function orderedTrieRoot(values: readonly Uint8Array[]): Promise<Uint8Array> {
  return buildOrderedTrieRoot(values, keccak_256)
}

/** Receipts root of the block. */
export async function receiptsRoot(receipts: readonly OpReceipt[]): Promise<Uint8Array> {
  return orderedTrieRoot(receipts.map(encodeReceipt))
}

/** Transactions root from the raw EIP-2718 encodings. */
export async function transactionsRoot(rawTxs: readonly Uint8Array[]): Promise<Uint8Array> {
  return orderedTrieRoot(rawTxs)
}
