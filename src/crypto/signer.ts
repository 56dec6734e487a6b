/**
 * A transaction's signer: the public key recovered from its signature (through the Common's
 * `customCrypto.ecrecover`) and the address hashed from it with the Common's keccak.
 * ethereumjs' own `getSenderAddress` hashes with a slower keccak on every call.
 */
import type { Common } from '@ethereumjs/common'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { Address, publicToAddress } from '@ethereumjs/util'

/** A signer as recovered from a transaction's bytes: public key (64 bytes) and address (20 bytes). */
export interface RecoveredSigner {
  pub: Uint8Array
  address: Uint8Array
}

/** The address of a 64-byte public key, hashed with the Common's keccak (ethereumjs' own uses a slower one). */
function addressOfPublicKey(pub: Uint8Array, common: Common): Uint8Array {
  return common.customCrypto.keccak256 !== undefined ? common.customCrypto.keccak256(pub).subarray(12) : publicToAddress(pub)
}

/** Recovers a decoded, signed transaction's signer (throws on an invalid signature). */
export function recoverSigner(tx: TypedTransaction, common: Common): RecoveredSigner {
  const pub = tx.getSenderPublicKey()
  return { pub, address: addressOfPublicKey(pub, common) }
}

/**
 * Pins a transaction's signer as recovered: `getSenderPublicKey` reads it from the transaction's
 * cache (no ecrecover), and `getSenderAddress` returns it without hashing the public key again
 * (ethereumjs hashes it with its slow keccak on every call, and runTx, the tracer and the
 * templates each call it: about 25 µs per transaction on a worker). The address can only be
 * pinned on a transaction decoded unfrozen (`decodeUnfrozen`), which this then freezes as
 * ethereumjs' decoding does (its hash cache works only on frozen transactions); on a frozen one
 * only the public key is set.
 */
export function pinSigner(tx: TypedTransaction, signer: RecoveredSigner): TypedTransaction {
  ;(tx as unknown as { cache: { senderPubKey?: Uint8Array } }).cache.senderPubKey = signer.pub
  if (Object.isFrozen(tx)) return tx
  const address = new Address(signer.address)
  Object.defineProperty(tx, 'getSenderAddress', { value: () => address })
  Object.freeze(tx)
  return tx
}

/** Decodes a typed or legacy transaction left unfrozen, for `pinSigner` (which freezes it). */
export function decodeUnfrozen(raw: Uint8Array, common: Common): TypedTransaction {
  return createTxFromRLP(raw, { common, freeze: false })
}

/** The signer of a transaction whose public key is known (recovered elsewhere). */
export function signerOfPublicKey(pub: Uint8Array, common: Common): RecoveredSigner {
  return { pub, address: addressOfPublicKey(pub, common) }
}
