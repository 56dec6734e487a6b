/**
 * A transaction's signer: the public key recovered from its signature (through the Common's
 * `customCrypto.ecrecover`) and the address hashed from it with the Common's keccak.
 * ethereumjs' own `getSenderAddress` hashes with a slower keccak on every call.
 */
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { publicToAddress } from '@ethereumjs/util'

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
