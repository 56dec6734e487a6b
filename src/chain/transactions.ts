/**
 * Decoding a block's raw EIP-2718 transactions into deposits (our own type) or ethereumjs typed
 * transactions. Blob transactions (type 3) never run on the OP stack; unknown types and
 * malformed encodings raise coded errors that name the transaction index.
 */
import type { Common } from '@ethereumjs/common'
import { type TypedTransaction, createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex } from '@ethereumjs/util'
import { DEPOSIT_TX_TYPE } from './constants.js'
import { type DepositTx, decodeDepositTx, depositTxHash } from './deposit-tx.js'
import { ChainError } from './errors.js'
import type { OpForkFlags } from './rollup-config.js'

/** A decoded OP transaction: a deposit or an ethereumjs transaction. */
export type OpTransaction = DepositTx | TypedTransaction

/** True for deposit transactions. */
export function isDepositTx(tx: OpTransaction): tx is DepositTx {
  return (tx as DepositTx).kind === 'deposit'
}

/** The EIP-2718 type of any OP transaction (0 for legacy). */
export function opTxType(tx: OpTransaction): number {
  return isDepositTx(tx) ? DEPOSIT_TX_TYPE : tx.type
}

/** The transaction hash (keccak of the typed encoding). */
export function opTxHash(tx: OpTransaction): Uint8Array {
  return isDepositTx(tx) ? depositTxHash(tx) : tx.hash()
}

export interface DecodeOpTxOptions {
  common: Common
  forks: OpForkFlags
  /** Position in the block, for error messages. */
  index?: number
}

/** Decodes one raw transaction (EIP-2718 envelope or legacy RLP). */
export function decodeOpTransaction(raw: Uint8Array, opts: DecodeOpTxOptions): OpTransaction {
  const where = opts.index === undefined ? 'transaction' : `transaction ${opts.index}`
  const details = { index: opts.index, raw: raw.length > 64 ? `${bytesToHex(raw.subarray(0, 64))}...` : bytesToHex(raw) }
  const first = raw[0]
  if (first === undefined) throw new ChainError('CHAIN_TX_MALFORMED', `${where} is empty`, { details })
  if (first === DEPOSIT_TX_TYPE) {
    try {
      return decodeDepositTx(raw)
    } catch (cause) {
      throw new ChainError('CHAIN_TX_MALFORMED', `${where}: malformed deposit transaction`, { details, cause })
    }
  }
  if (first === 3) {
    throw new ChainError('CHAIN_TX_UNSUPPORTED_TYPE', `${where} is a blob transaction (type 3), which the OP stack does not accept`, {
      details: { ...details, type: 3 },
    })
  }
  const isLegacy = first >= 0xc0
  const known = isLegacy || first === 1 || first === 2 || (first === 4 && opts.forks.isthmus)
  if (!known) {
    throw new ChainError('CHAIN_TX_UNSUPPORTED_TYPE', `${where} has type 0x${first.toString(16)}, which is not valid at this fork`, {
      details: { ...details, type: first },
    })
  }
  try {
    return createTxFromRLP(raw, { common: opts.common })
  } catch (cause) {
    throw new ChainError('CHAIN_TX_MALFORMED', `${where}: ${cause instanceof Error ? cause.message.split('\n')[0] : 'cannot decode'}`, {
      details,
      cause,
    })
  }
}
