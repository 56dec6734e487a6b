/**
 * WriteSet: what one transaction left behind — the post values of the keys it wrote, account
 * deletions, storage wipes, and its commutative balance credits.
 *
 * Merge rule (the batch committer's contract): walk transactions in canonical order; for each,
 * first apply its account writes (last writer wins), then add its credits. Within one
 * transaction a recorded balance write never includes a credit recorded in `credits` (a write
 * made after a credit folds it in and drops it from `credits`), so "writes, then credits" is
 * exact.
 *
 * Per account, in this order:
 *   1. `deleted`: the account does not exist after the transaction (no balance, nonce, code or
 *      storage); the other fields are then absent.
 *   2. `storageCleared`: every slot was wiped before the slots in `storage` were written.
 *   3. `balance`, `nonce`, `code`, `storage`: post values (storage values are the minimal bytes
 *      ethereumjs uses: leading zeros stripped, empty = zero).
 * A credit to a missing account creates it (nonce 0, no code).
 */
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import type { StateManagerInterface } from '@ethereumjs/common'
import { hexToBytes as nobleHexToBytes } from '@noble/hashes/utils.js'
import { toHex } from '../common/index.js'

/** Post values one transaction wrote for one account. */
export interface AccountWrite {
  balance?: bigint
  nonce?: bigint
  /** Runtime code after the transaction (empty = no code). */
  code?: Uint8Array
  /** slot (0x + 64 hex) -> minimal-bytes value (empty = zero). */
  storage?: Map<string, Uint8Array>
  storageCleared?: boolean
  deleted?: boolean
}

/** All writes and credits of one transaction. Addresses are lowercase 0x-hex. */
export interface WriteSet {
  accounts: Map<string, AccountWrite>
  credits: Map<string, bigint>
}

/** An empty write set. */
export function emptyWriteSet(): WriteSet {
  return { accounts: new Map(), credits: new Map() }
}

export interface AccountWriteJson {
  balance?: string
  nonce?: string
  code?: string
  storage?: Record<string, string>
  storageCleared?: true
  deleted?: true
}

/** JSON form of a write set (hex strings, sorted keys). */
export interface WriteSetJson {
  accounts: Record<string, AccountWriteJson>
  credits: Record<string, string>
}

/** Serialises a write set to sorted plain JSON. */
export function writeSetToJson(w: WriteSet): WriteSetJson {
  const accounts: Record<string, AccountWriteJson> = {}
  for (const addr of [...w.accounts.keys()].sort()) {
    const a = w.accounts.get(addr)
    if (a === undefined) continue
    const j: AccountWriteJson = {}
    if (a.deleted === true) j.deleted = true
    if (a.storageCleared === true) j.storageCleared = true
    if (a.balance !== undefined) j.balance = `0x${a.balance.toString(16)}`
    if (a.nonce !== undefined) j.nonce = `0x${a.nonce.toString(16)}`
    if (a.code !== undefined) j.code = toHex(a.code)
    if (a.storage !== undefined) {
      const st: Record<string, string> = {}
      for (const k of [...a.storage.keys()].sort()) st[k] = toHex(a.storage.get(k) ?? new Uint8Array())
      j.storage = st
    }
    accounts[addr] = j
  }
  const credits: Record<string, string> = {}
  for (const k of [...w.credits.keys()].sort()) credits[k] = (w.credits.get(k) ?? 0n).toString()
  return { accounts, credits }
}

/** Parses the JSON form of a write set. */
export function writeSetFromJson(j: WriteSetJson): WriteSet {
  const accounts = new Map<string, AccountWrite>()
  for (const [addr, a] of Object.entries(j.accounts)) {
    const w: AccountWrite = {}
    if (a.deleted === true) w.deleted = true
    if (a.storageCleared === true) w.storageCleared = true
    if (a.balance !== undefined) w.balance = BigInt(a.balance)
    if (a.nonce !== undefined) w.nonce = BigInt(a.nonce)
    if (a.code !== undefined) w.code = hexToBytes(a.code as `0x${string}`)
    if (a.storage !== undefined) {
      w.storage = new Map()
      for (const [k, v] of Object.entries(a.storage)) w.storage.set(k, hexToBytes(v as `0x${string}`))
    }
    accounts.set(addr, w)
  }
  const credits = new Map<string, bigint>()
  for (const [k, v] of Object.entries(j.credits)) credits.set(k, BigInt(v))
  return { accounts, credits }
}

/**
 * Applies one transaction's write set to a state (writes first, then credits). Applying the
 * write sets of a block in canonical order to the parent state gives the sequential post-state.
 *
 * `pendingCredits`, when given, collects credits instead of applying them (they commute with
 * each other): an account's collected credits are applied before any other write to it, and the
 * caller applies the rest with `applyPendingCredits` before anything reads the state.
 */
export async function applyWriteSet(state: StateManagerInterface, w: WriteSet, pendingCredits?: Map<string, bigint>): Promise<void> {
  for (const [addr, a] of w.accounts) {
    const address = new Address(hexBytes(addr))
    if (pendingCredits !== undefined) {
      const owed = pendingCredits.get(addr)
      if (owed !== undefined) {
        pendingCredits.delete(addr)
        await addBalance(state, address, owed)
      }
    }
    if (a.deleted === true) {
      await state.deleteAccount(address)
      continue
    }
    if (a.storageCleared === true) await state.clearStorage(address)
    if (a.balance !== undefined || a.nonce !== undefined || a.code !== undefined) {
      const acc = (await state.getAccount(address)) ?? new Account()
      if (a.balance !== undefined) acc.balance = a.balance
      if (a.nonce !== undefined) acc.nonce = a.nonce
      await state.putAccount(address, acc)
      if (a.code !== undefined) await state.putCode(address, a.code)
    } else if (a.storage !== undefined && !(await accountExists(state, address))) {
      await state.putAccount(address, new Account())
    }
    if (a.storage !== undefined) for (const [slot, v] of a.storage) await state.putStorage(address, hexBytes(slot), v)
  }
  for (const [addr, amount] of w.credits) {
    if (amount === 0n) continue
    if (pendingCredits !== undefined) pendingCredits.set(addr, (pendingCredits.get(addr) ?? 0n) + amount)
    else await addBalance(state, new Address(hexBytes(addr)), amount)
  }
}

/** Applies credits collected by `applyWriteSet` and empties the map. */
export async function applyPendingCredits(state: StateManagerInterface, pendingCredits: Map<string, bigint>): Promise<void> {
  for (const [addr, amount] of pendingCredits) await addBalance(state, new Address(hexBytes(addr)), amount)
  pendingCredits.clear()
}

/** Whether an account exists, without decoding it where the state can tell (`accountExists`). */
async function accountExists(state: StateManagerInterface, address: Address): Promise<boolean> {
  const fast = (state as { accountExists?: (a: Address) => Promise<boolean> }).accountExists
  return fast !== undefined ? fast.call(state, address) : (await state.getAccount(address)) !== undefined
}

async function addBalance(state: StateManagerInterface, address: Address, amount: bigint): Promise<void> {
  const acc = (await state.getAccount(address)) ?? new Account()
  acc.balance += amount
  await state.putAccount(address, acc)
}

function hexBytes(h: string): Uint8Array {
  return nobleHexToBytes(h.startsWith('0x') ? h.slice(2) : h)
}
