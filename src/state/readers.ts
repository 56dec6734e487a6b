/**
 * StateReaders over the state backends (a snapshot, or any ethereumjs state manager such as a
 * Merkle or witness-backed state), and slicing: cutting the part of a state that a set of
 * state keys names into a self-contained snapshot for a work package.
 */
import type { StateManagerInterface } from '@ethereumjs/common'
import { KECCAK256_NULL, KECCAK256_RLP, equalsBytes, hexToBytes } from '@ethereumjs/util'
import { StateError } from './errors.js'
import { NONEMPTY_STORAGE_ROOT, toAddress, type StateReader } from './map-state-manager.js'
import type { AccountState, StateSnapshot } from './snapshot.js'

const EMPTY = new Uint8Array(0)

/** A reader over a snapshot (slots missing from a complete account read as zero). */
export function snapshotReader(s: StateSnapshot): StateReader {
  return {
    async getAccount(address) {
      const a = s.get(address)
      if (a === undefined || a === null) return null
      const out: AccountState = { balance: a.balance, nonce: a.nonce }
      if (a.code !== undefined) out.code = a.code
      if (a.codeHash !== undefined) out.codeHash = a.codeHash
      if (a.storageRoot !== undefined) out.storageRoot = a.storageRoot
      else if (a.storageComplete === true) out.storageRoot = [...(a.storage?.values() ?? [])].some((v) => v.length > 0) ? NONEMPTY_STORAGE_ROOT : KECCAK256_RLP
      return out
    },
    async getCode(address) {
      return s.get(address)?.code ?? EMPTY
    },
    async getStorage(address, slot) {
      return s.get(address)?.storage?.get(slot) ?? EMPTY
    },
  }
}


/** A reader over any ethereumjs state manager (reads go through its caches). */
export function stateManagerReader(sm: StateManagerInterface): StateReader {
  return {
    async getAccount(address) {
      const acc = await sm.getAccount(toAddress(address))
      if (acc === undefined) return null
      return { balance: acc.balance, nonce: acc.nonce, codeHash: acc.codeHash, storageRoot: acc.storageRoot }
    },
    async getCode(address) {
      return sm.getCode(toAddress(address))
    },
    async getStorage(address, slot) {
      return sm.getStorage(toAddress(address), hexToBytes(slot as `0x${string}`))
    },
  }
}

/**
 * Cuts a snapshot for the given state keys (`b:`/`n:`/`c:`/`s:` keys, see state-key.ts):
 * each named account with its fields, code where a code key is named, and the named slots.
 */
export async function sliceState(reader: StateReader, keys: Iterable<string>, opts: { skipUnavailable?: boolean } = {}): Promise<StateSnapshot> {
  // Predictions may name keys the parent cannot provide (a witness covers what the block really
  // touches): with `skipUnavailable` such keys are left out, and a run that needs one reads it
  // through its fallback, which reports the missing witness node properly.
  const guard = async <T>(f: () => Promise<T>): Promise<T | undefined> => {
    if (opts.skipUnavailable !== true) return f()
    try {
      return await f()
    } catch (err) {
      if (err instanceof StateError && (err.code === 'STATE_WITNESS_MISSING_NODE' || err.code === 'STATE_WITNESS_MISSING_CODE')) return undefined
      throw err
    }
  }
  const out: StateSnapshot = new Map()
  const wantCode = new Set<string>()
  const slots = new Map<string, Set<string>>()
  const addrs = new Set<string>()
  for (const k of keys) {
    const addr = k.slice(2, 44)
    addrs.add(addr)
    if (k[0] === 'c') wantCode.add(addr)
    else if (k[0] === 's') {
      let s = slots.get(addr)
      if (s === undefined) slots.set(addr, (s = new Set()))
      s.add(k.slice(45))
    }
  }
  for (const addr of addrs) {
    const a = await guard(() => reader.getAccount(addr))
    if (a === undefined) continue
    if (a === null) {
      out.set(addr, null)
      continue
    }
    const acc: AccountState = { balance: a.balance, nonce: a.nonce }
    if (a.storageRoot !== undefined) acc.storageRoot = a.storageRoot
    const codeHash = a.codeHash ?? KECCAK256_NULL
    if (a.codeHash !== undefined) acc.codeHash = a.codeHash
    if (wantCode.has(addr) && !equalsBytes(codeHash, KECCAK256_NULL)) {
      const code = a.code ?? (await guard(() => reader.getCode(addr, codeHash)))
      if (code !== undefined) acc.code = code
    }
    const want = slots.get(addr)
    if (want !== undefined) {
      acc.storage = new Map()
      for (const slot of want) {
        const v = await guard(() => reader.getStorage(addr, slot))
        if (v !== undefined) acc.storage.set(slot, v)
      }
    }
    out.set(addr, acc)
  }
  return out
}
