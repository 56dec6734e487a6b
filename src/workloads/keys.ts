/** Deterministic accounts: private keys derived from the workload seed, a role and an index. */
import { keccak256, nativePublicKey } from '../crypto/index.js'
import { toHex } from '../common/index.js'

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

/** What an account is for in a workload. */
export type AccountRole = 'user' | 'deployer' | 'poor'

/** A keyed externally owned account of a workload. */
export interface WorkloadAccount {
  /** Lowercase 0x address. */
  address: string
  privateKey: Uint8Array
  role: AccountRole
}

/** The private key for (seed, role, index): keccak of a label, re-hashed in the (negligible) out-of-range case. */
export function derivePrivateKey(seed: number | bigint | string, role: AccountRole, index: number): Uint8Array {
  let k = keccak256(new TextEncoder().encode(`paradag-account:${String(seed)}:${role}:${index}`))
  for (;;) {
    let v = 0n
    for (const b of k) v = (v << 8n) | BigInt(b)
    if (v > 0n && v < SECP256K1_N) return k
    k = keccak256(k)
  }
}

/** The lowercase 0x address of a private key. */
export function addressOfKey(privateKey: Uint8Array): string {
  return toHex(keccak256(nativePublicKey(privateKey)).subarray(12))
}

/** Derives `count` accounts of a role (indices `from`..`from+count-1`). */
export function deriveAccounts(seed: number | bigint | string, role: AccountRole, count: number, from = 0): WorkloadAccount[] {
  const out: WorkloadAccount[] = []
  for (let i = from; i < from + count; i++) {
    const privateKey = derivePrivateKey(seed, role, i)
    out.push({ address: addressOfKey(privateKey), privateKey, role })
  }
  return out
}
