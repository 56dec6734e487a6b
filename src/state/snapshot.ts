/**
 * StateSnapshot: a plain, self-contained slice of state (accounts, code, storage). It is what a
 * work package carries, what worker threads receive, and what generated genesis states are.
 * Addresses are lowercase 0x-hex; slots are 0x + 64 hex; storage values are the minimal bytes
 * ethereumjs uses (leading zeros stripped, empty = zero).
 */
import { KECCAK256_NULL, KECCAK256_RLP, hexToBytes } from '@ethereumjs/util'
import { toHex } from '../common/index.js'

export interface AccountState {
  balance: bigint
  nonce: bigint
  /** Runtime code; absent or empty for accounts without code. */
  code?: Uint8Array
  /** Storage root of the account in the parent state (needed for EIP-7610 collision checks). */
  storageRoot?: Uint8Array
  /** Code hash; derived from `code` when absent. */
  codeHash?: Uint8Array
  /** Slots known for this account (may be partial, see `storageComplete`). */
  storage?: Map<string, Uint8Array>
  /** True when `storage` holds every non-zero slot of the account (a missing slot is zero). */
  storageComplete?: boolean
}

/** address -> account; `null` marks an account known not to exist. */
export type StateSnapshot = Map<string, AccountState | null>

export interface AccountStateJson {
  balance: string
  nonce: string
  code?: string
  storageRoot?: string
  codeHash?: string
  storage?: Record<string, string>
  storageComplete?: boolean
}

export type StateSnapshotJson = Record<string, AccountStateJson | null>

/** Converts a snapshot to JSON-safe form (hex strings). */
export function snapshotToJson(s: StateSnapshot): StateSnapshotJson {
  const out: StateSnapshotJson = {}
  for (const addr of [...s.keys()].sort()) {
    const a = s.get(addr)
    if (a === undefined) continue
    if (a === null) {
      out[addr] = null
      continue
    }
    const j: AccountStateJson = { balance: `0x${a.balance.toString(16)}`, nonce: `0x${a.nonce.toString(16)}` }
    if (a.code !== undefined && a.code.length > 0) j.code = toHex(a.code)
    if (a.storageRoot !== undefined && !eq(a.storageRoot, KECCAK256_RLP)) j.storageRoot = toHex(a.storageRoot)
    if (a.codeHash !== undefined && !eq(a.codeHash, KECCAK256_NULL)) j.codeHash = toHex(a.codeHash)
    if (a.storage !== undefined && a.storage.size > 0) {
      const st: Record<string, string> = {}
      for (const k of [...a.storage.keys()].sort()) st[k] = toHex(a.storage.get(k) ?? new Uint8Array())
      j.storage = st
    }
    if (a.storageComplete === true) j.storageComplete = true
    out[addr] = j
  }
  return out
}

/** Parses the JSON form of a snapshot. */
export function snapshotFromJson(j: StateSnapshotJson): StateSnapshot {
  const s: StateSnapshot = new Map()
  for (const [addr, a] of Object.entries(j)) {
    if (a === null) {
      s.set(addr.toLowerCase(), null)
      continue
    }
    const acc: AccountState = { balance: BigInt(a.balance), nonce: BigInt(a.nonce) }
    if (a.code !== undefined) acc.code = hexToBytes(a.code as `0x${string}`)
    if (a.storageRoot !== undefined) acc.storageRoot = hexToBytes(a.storageRoot as `0x${string}`)
    if (a.codeHash !== undefined) acc.codeHash = hexToBytes(a.codeHash as `0x${string}`)
    if (a.storage !== undefined) {
      acc.storage = new Map()
      for (const [k, v] of Object.entries(a.storage)) acc.storage.set(k, hexToBytes(v as `0x${string}`))
    }
    if (a.storageComplete === true) acc.storageComplete = true
    s.set(addr.toLowerCase(), acc)
  }
  return s
}

function eq(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
