/**
 * Preparing a block's transactions: decode raw EIP-2718 bytes with the block's Common and
 * recover senders. A transaction that cannot be decoded or whose signature is invalid becomes
 * an exclusion with a coded reason naming its index; the rest of the block goes on.
 */
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import { decodeUnfrozen, pinSigner, recoverSigner, type RecoveredSigner } from '../crypto/index.js'
import { PipelineError } from './errors.js'

export interface PreparedTx {
  index: number
  raw: Uint8Array
  tx: TypedTransaction
  sender: Address
}

export interface Exclusion {
  index: number
  code: string
  reason: string
}

export interface PreparedBlock {
  txs: (PreparedTx | null)[]
  excluded: Exclusion[]
}

/**
 * Decodes and recovers every transaction; failures become exclusions (never throws per tx).
 * `signers[i]`, when given, is transaction i's signer as recovered elsewhere from the same bytes
 * (worker threads): it is used instead of recovering again here.
 */
export function prepareTransactions(raws: readonly Uint8Array[], common: Common, signers?: readonly (RecoveredSigner | null)[], decoded?: readonly Decoded[]): PreparedBlock {
  const txs: (PreparedTx | null)[] = []
  const excluded: Exclusion[] = []
  raws.forEach((raw, index) => {
    try {
      const d = decoded?.[index] ?? decodeOne(raw, common)
      if (d instanceof Error) throw d
      const tx = d
      if (!tx.isSigned()) throw new PipelineError('TX_UNSIGNED', `transaction ${index} is not signed`, { details: { index } })
      let signer = signers?.[index]
      try {
        signer ??= recoverSigner(tx, common)
      } catch (cause) {
        throw new PipelineError('TX_BAD_SIGNATURE', `transaction ${index} has an invalid signature`, { details: { index }, cause })
      }
      pinSigner(tx, signer)
      txs.push({ index, raw, tx, sender: new Address(signer.address) })
    } catch (err) {
      txs.push(null)
      const code = err instanceof PipelineError ? err.code : 'TX_MALFORMED'
      const msg = err instanceof Error ? err.message : String(err)
      excluded.push({ index, code, reason: code === 'TX_MALFORMED' ? `transaction ${index} cannot be decoded: ${msg}` : msg })
    }
  })
  return { txs, excluded }
}

/** A decoded transaction, or the error decoding gave. */
export type Decoded = TypedTransaction | Error

// Left unfrozen until its signer is pinned (`pinSigner` freezes it).
function decodeOne(raw: Uint8Array, common: Common): Decoded {
  try {
    return decodeUnfrozen(raw, common)
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err))
  }
}

/** Decodes every transaction without recovering senders (so decoding can overlap recovery elsewhere). */
export function decodeTransactions(raws: readonly Uint8Array[], common: Common): Decoded[] {
  return raws.map((raw) => decodeOne(raw, common))
}
