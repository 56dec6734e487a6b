/**
 * Preparing a block's transactions: decode raw EIP-2718 bytes with the block's Common and
 * recover senders. A transaction that cannot be decoded or whose signature is invalid becomes
 * an exclusion with a coded reason naming its index; the rest of the block goes on.
 */
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Address } from '@ethereumjs/util'
import { decodeUnfrozen, pinSigner, recoverSigner, type RecoveredSigner } from '../crypto/index.js'
import type { TxFields } from '../state-verification/index.js'
import { PipelineError } from './errors.js'
import { LightTx } from './light-tx.js'

export interface PreparedTx {
  index: number
  raw: Uint8Array
  /**
   * The decoded transaction. Prepared from signers recovered elsewhere, it is decoded on first
   * read: the parallel path's main thread reads only `fields` of most transactions.
   */
  readonly tx: TypedTransaction
  /** What prediction and committing read: `tx` itself, or its fields read from the bytes (`LightTx`). */
  readonly fields: TxFields
  sender: Address
  /** The sender's public key (64 bytes), when recovered. */
  senderPubKey?: Uint8Array
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
 *
 * With signers, a transaction whose signer was recovered is not decoded here:
 * the one who recovered it decoded it fully, with the same rules (a worker returns no signer
 * for bytes ethereumjs rejects), so its fields are read from the bytes (`LightTx`) and `tx` is
 * decoded on first read. A type that needs a hardfork the block's rules lack, or a typed
 * transaction for another chain, is decoded here all the same, for the exact exclusion.
 */
export function prepareTransactions(raws: readonly Uint8Array[], common: Common, signers?: readonly (RecoveredSigner | null)[], fields?: readonly (LightTx | undefined)[]): PreparedBlock {
  const txs: (PreparedTx | null)[] = []
  const excluded: Exclusion[] = []
  const read = signers === undefined ? undefined : (fields ?? readFields(raws, common))
  raws.forEach((raw, index) => {
    const recovered = signers?.[index]
    const light = read?.[index]
    if (light !== undefined && recovered != null) {
      txs.push(lazyPrepared(index, raw, recovered, common, light))
      return
    }
    try {
      const d = decodeOne(raw, common)
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
      txs.push({ index, raw, tx, fields: tx, sender: new Address(signer.address), senderPubKey: signer.pub })
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

/** What the block's rules allow, for transactions read without ethereumjs (`LightTx`). */
interface LightRules {
  chainId: bigint
  /** Transaction types (besides legacy) the hardfork has. */
  types: Set<number>
}

function lightRules(common: Common): LightRules {
  const types = new Set<number>()
  if (common.isActivatedEIP(2930)) types.add(1)
  if (common.isActivatedEIP(1559)) types.add(2)
  if (common.isActivatedEIP(7702)) types.add(4)
  return { chainId: common.chainId(), types }
}

/**
 * Each transaction's fields read from its bytes (`LightTx`), for `prepareTransactions` with
 * signers: undefined where it must be decoded fully (a type not read by `LightTx`, not in the
 * block's hardfork, or signed for another chain). Needs no signer, so it can run while the
 * signers are being recovered elsewhere.
 */
export function readFields(raws: readonly Uint8Array[], common: Common): (LightTx | undefined)[] {
  const rules = lightRules(common)
  return raws.map((raw) => {
    const fields = LightTx.decode(raw)
    if (fields === undefined || (fields.type !== 0 && !rules.types.has(fields.type))) return undefined
    return fields.signedChainId === undefined || fields.signedChainId === rules.chainId ? fields : undefined
  })
}

/** A prepared transaction whose `tx` is decoded on first read (see `prepareTransactions`). */
function lazyPrepared(index: number, raw: Uint8Array, signer: RecoveredSigner, common: Common, light: LightTx): PreparedTx {
  let tx: TypedTransaction | undefined
  const full = (): TypedTransaction => (tx ??= pinSigner(decodeUnfrozen(raw, common), signer))
  const sender = new Address(signer.address)
  const p = { index, raw, fields: light.attach(sender, full), sender, senderPubKey: signer.pub } as Omit<PreparedTx, 'tx'> as PreparedTx
  Object.defineProperty(p, 'tx', { enumerable: true, get: full })
  return p
}
