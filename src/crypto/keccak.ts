/**
 * Keccak-256 for Common's `customCrypto.keccak256`. Measured on this machine kind (see
 * scripts/bench-crypto.mjs): js-sha3 hashes 32–600 byte inputs about 1.7x faster than
 * @noble/hashes, and no native keccak is installed (Node's OpenSSL 3.0 exposes SHA3-256, whose
 * padding differs from Keccak). Both give identical digests (tested).
 */
import sha3 from 'js-sha3'

const k256 = sha3.keccak256

/** Keccak-256 digest (32 bytes) of `data`. */
export function keccak256(data: Uint8Array): Uint8Array {
  return new Uint8Array(k256.arrayBuffer(data))
}
