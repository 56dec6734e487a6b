/**
 * OP receipts and the block's ordered tries: receipt encoding (deposit receipts carry
 * `depositNonce` and, from Canyon, `depositReceiptVersion`), logs bloom, receipts and
 * transactions roots.
 */
import type { Log } from '@ethereumjs/evm'
import { orderedTrieRoot as buildOrderedTrieRoot } from '../state/trie/batch-update.js'
import { bigIntToUnpaddedBytes } from '@ethereumjs/util'
import { keccak256 } from '../crypto/keccak.js'
import { bloomOfLogs, encodeRlp, type RlpItem } from '../common/index.js'
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
  return bloomOfLogs(logs, keccak256, into)
}

/** EIP-2718 receipt encoding as hashed into the receipts root. */
export function encodeReceipt(r: OpReceipt): Uint8Array {
  const fields: RlpItem[] = [r.status === 1 ? STATUS_OK : STATUS_FAILED, bigIntToUnpaddedBytes(r.cumulativeGasUsed), logsBloom(r.logs), r.logs]
  if (r.type === DEPOSIT_TX_TYPE && r.depositNonce !== undefined) {
    fields.push(bigIntToUnpaddedBytes(r.depositNonce))
    if (r.depositReceiptVersion !== undefined) fields.push(bigIntToUnpaddedBytes(r.depositReceiptVersion))
  }
  return encodeRlp(fields, r.type === 0 ? undefined : r.type)
}

const STATUS_OK = Uint8Array.of(1)
const STATUS_FAILED = new Uint8Array(0)

/** Root of the ordered trie rlp(index) -> value. */
export async function orderedTrieRoot(values: readonly Uint8Array[]): Promise<Uint8Array> {
  return buildOrderedTrieRoot(values, keccak256)
}

/** Receipts root of the block. */
export async function receiptsRoot(receipts: readonly OpReceipt[]): Promise<Uint8Array> {
  return orderedTrieRoot(receipts.map(encodeReceipt))
}

/** Transactions root from the raw EIP-2718 encodings. */
export async function transactionsRoot(rawTxs: readonly Uint8Array[]): Promise<Uint8Array> {
  return orderedTrieRoot(rawTxs)
}
