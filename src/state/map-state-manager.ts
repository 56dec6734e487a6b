/**
 * MapStateManager: an in-memory `StateManagerInterface` over plain maps with journaled
 * checkpoints (O(changes) per checkpoint/revert, unlike SimpleStateManager's full copies).
 * It holds a slice of state (a `StateSnapshot`); a key outside the slice is read from an
 * optional `fallback` reader and reported through `onMiss` (a work package's "miss"). It does
 * not compute state roots: roots are computed by applying write sets to a Merkle state.
 */
import type { AccountFields, StateManagerInterface } from '@ethereumjs/common'
import { Account, Address, KECCAK256_NULL, KECCAK256_RLP, equalsBytes, setLengthLeft, unpadBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { StateError } from './errors.js'
import type { AccountState, StateSnapshot } from './snapshot.js'
import { toHex } from '../common/index.js'

/** Where keys missing from the slice come from. */
export interface StateReader {
  /** The account without storage (code may be omitted; then `getCode` is asked). `null` = absent. */
  getAccount(address: string): Promise<AccountState | null>
  getCode(address: string, codeHash: Uint8Array): Promise<Uint8Array>
  /** Minimal-bytes value of a slot (empty = zero). `slot` is 0x + 64 hex. */
  getStorage(address: string, slot: string): Promise<Uint8Array>
}

export type MissKind = 'account' | 'code' | 'storage'

export interface MapStateManagerOptions {
  snapshot?: StateSnapshot
  fallback?: StateReader
  onMiss?: (kind: MissKind, address: string, slot?: string) => void
  keccak256?: (b: Uint8Array) => Uint8Array
}

interface AcctRec {
  nonce: bigint
  balance: bigint
  codeHash: Uint8Array
  storageRoot: Uint8Array
}

interface SlotMap {
  slots: Map<string, Uint8Array>
  complete: boolean
}

type JournalEntry =
  | { t: 'a'; addr: string; had: boolean; prev: AcctRec | null | undefined }
  | { t: 'c'; addr: string; had: boolean; prev: Uint8Array | undefined }
  | { t: 's'; addr: string; slot: string; had: boolean; prev: Uint8Array | undefined }
  | { t: 'S'; addr: string; had: boolean; prev: SlotMap | undefined }

const EMPTY = new Uint8Array(0)

/** In-memory state manager over a snapshot slice with a miss-reporting fallback. */
export class MapStateManager implements StateManagerInterface {
  private readonly accounts = new Map<string, AcctRec | null>()
  private readonly code = new Map<string, Uint8Array>()
  private readonly storage = new Map<string, SlotMap>()
  private journal: JournalEntry[] = []
  private readonly marks: number[] = []
  private readonly fallback: StateReader | undefined
  private readonly onMiss: ((kind: MissKind, address: string, slot?: string) => void) | undefined
  private readonly keccak: (b: Uint8Array) => Uint8Array
  private originals = new Map<string, Uint8Array>()

  readonly originalStorageCache: { get(address: Address, key: Uint8Array): Promise<Uint8Array>; clear(): void }

  constructor(opts: MapStateManagerOptions = {}) {
    this.fallback = opts.fallback
    this.onMiss = opts.onMiss
    this.keccak = opts.keccak256 ?? keccak_256
    if (opts.snapshot !== undefined) this.load(opts.snapshot)
    this.originalStorageCache = {
      get: async (address, key) => {
        const id = `${address.toString()}:${toHex(setLengthLeft(key, 32))}`
        const hit = this.originals.get(id)
        if (hit !== undefined) return hit
        const v = await this.getStorage(address, key)
        this.originals.set(id, v)
        return v
      },
      clear: () => {
        this.originals = new Map()
      },
    }
  }

  /** Adds a snapshot's accounts, code and slots (outside any checkpoint). */
  load(snapshot: StateSnapshot): void {
    for (const [addr, a] of snapshot) {
      if (a === null) {
        this.accounts.set(addr, null)
        continue
      }
      this.accounts.set(addr, this.recFromState(a))
      if (a.code !== undefined && a.code.length > 0) this.code.set(addr, a.code)
      if (a.storage !== undefined || a.storageComplete === true) {
        const sm = this.storage.get(addr) ?? { slots: new Map(), complete: false }
        for (const [k, v] of a.storage ?? []) sm.slots.set(k, v)
        if (a.storageComplete === true) sm.complete = true
        this.storage.set(addr, sm)
      }
    }
  }

  /** Adds what a snapshot knows and this state does not (never overwrites a known value). */
  loadMissing(snapshot: StateSnapshot): void {
    for (const [addr, a] of snapshot) {
      if (!this.accounts.has(addr)) this.accounts.set(addr, a === null ? null : this.recFromState(a))
      if (a === null) continue
      if (a.code !== undefined && a.code.length > 0 && !this.code.has(addr)) this.code.set(addr, a.code)
      if (a.storage === undefined) continue
      let sm = this.storage.get(addr)
      if (sm === undefined) this.storage.set(addr, (sm = { slots: new Map(), complete: false }))
      if (sm.complete) continue
      for (const [k, v] of a.storage) if (!sm.slots.has(k)) sm.slots.set(k, v)
    }
  }

  private recFromState(a: AccountState): AcctRec {
    const codeHash = a.codeHash ?? (a.code !== undefined && a.code.length > 0 ? this.keccak(a.code) : KECCAK256_NULL)
    return { nonce: a.nonce, balance: a.balance, codeHash, storageRoot: a.storageRoot ?? storageRootHint(a) }
  }

  private async rec(addr: string): Promise<AcctRec | null> {
    const r = this.accounts.get(addr)
    if (r !== undefined) return r
    if (this.fallback === undefined) return null
    this.onMiss?.('account', addr)
    const a = await this.fallback.getAccount(addr)
    const loaded = a === null ? null : this.recFromState(a)
    this.accounts.set(addr, loaded)
    if (a !== null && a.code !== undefined && a.code.length > 0 && !this.code.has(addr)) this.code.set(addr, a.code)
    return loaded
  }

  private setRec(addr: string, v: AcctRec | null): void {
    this.journal.push({ t: 'a', addr, had: this.accounts.has(addr), prev: this.accounts.get(addr) })
    this.accounts.set(addr, v)
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const r = await this.rec(address.toString())
    if (r === null) return undefined
    return new Account(r.nonce, r.balance, r.storageRoot, r.codeHash)
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    if (account === undefined) return this.deleteAccount(address)
    const addr = address.toString()
    await this.rec(addr)
    this.setRec(addr, {
      nonce: account.nonce,
      balance: account.balance,
      codeHash: account.codeHash,
      storageRoot: account.storageRoot,
    })
  }

  async deleteAccount(address: Address): Promise<void> {
    const addr = address.toString()
    await this.rec(addr)
    this.setRec(addr, null)
    this.journal.push({ t: 'c', addr, had: this.code.has(addr), prev: this.code.get(addr) })
    this.code.set(addr, EMPTY)
    this.journal.push({ t: 'S', addr, had: this.storage.has(addr), prev: this.storage.get(addr) })
    this.storage.set(addr, { slots: new Map(), complete: true })
  }

  async modifyAccountFields(address: Address, fields: AccountFields): Promise<void> {
    const acc = (await this.getAccount(address)) ?? new Account()
    if (fields.nonce !== undefined) acc.nonce = fields.nonce
    if (fields.balance !== undefined) acc.balance = fields.balance
    if (fields.codeHash !== undefined) acc.codeHash = fields.codeHash
    if (fields.storageRoot !== undefined) acc.storageRoot = fields.storageRoot
    await this.putAccount(address, acc)
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const addr = address.toString()
    this.journal.push({ t: 'c', addr, had: this.code.has(addr), prev: this.code.get(addr) })
    this.code.set(addr, value)
    await this.modifyAccountFields(address, { codeHash: value.length === 0 ? KECCAK256_NULL : this.keccak(value) })
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const addr = address.toString()
    const c = this.code.get(addr)
    if (c !== undefined) return c
    const r = await this.rec(addr)
    if (r === null || equalsBytes(r.codeHash, KECCAK256_NULL)) return EMPTY
    const again = this.code.get(addr)
    if (again !== undefined) return again
    if (this.fallback === undefined) throw new StateError('STATE_CODE_MISSING', `code of ${addr} is not in the state slice`, { details: { address: addr } })
    this.onMiss?.('code', addr)
    const code = await this.fallback.getCode(addr, r.codeHash)
    this.code.set(addr, code)
    return code
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const addr = address.toString()
    const slot = toHex(setLengthLeft(key, 32))
    let sm = this.storage.get(addr)
    const v = sm?.slots.get(slot)
    if (v !== undefined) return v
    if (sm?.complete === true) return EMPTY
    const r = await this.rec(addr)
    // Only the fallback knows slots outside the slice. (An account's storage root is no proof of
    // empty storage here: a parent state with pending, unflushed writes reports a stale root.)
    if (r === null || this.fallback === undefined) return EMPTY
    this.onMiss?.('storage', addr, slot)
    const loaded = await this.fallback.getStorage(addr, slot)
    if (sm === undefined) {
      sm = { slots: new Map(), complete: false }
      this.storage.set(addr, sm)
    }
    // A miss loads the parent value: not a change, so it is not journaled.
    if (!sm.slots.has(slot)) sm.slots.set(slot, loaded)
    return sm.slots.get(slot) ?? EMPTY
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const addr = address.toString()
    const slot = toHex(setLengthLeft(key, 32))
    let sm = this.storage.get(addr)
    if (sm === undefined) {
      sm = { slots: new Map(), complete: false }
      this.storage.set(addr, sm)
    }
    this.journal.push({ t: 's', addr, slot, had: sm.slots.has(slot), prev: sm.slots.get(slot) })
    sm.slots.set(slot, unpadBytes(value))
  }

  async clearStorage(address: Address): Promise<void> {
    const addr = address.toString()
    this.journal.push({ t: 'S', addr, had: this.storage.has(addr), prev: this.storage.get(addr) })
    this.storage.set(addr, { slots: new Map(), complete: true })
  }

  async checkpoint(): Promise<void> {
    this.marks.push(this.journal.length)
  }

  async commit(): Promise<void> {
    this.marks.pop()
    if (this.marks.length === 0) this.journal = []
  }

  async revert(): Promise<void> {
    const mark = this.marks.pop() ?? 0
    for (let i = this.journal.length - 1; i >= mark; i--) this.undo(this.journal[i]!)
    this.journal.length = mark
  }

  private undo(e: JournalEntry): void {
    switch (e.t) {
      case 'a':
        if (e.had) this.accounts.set(e.addr, e.prev as AcctRec | null)
        else this.accounts.delete(e.addr)
        return
      case 'c':
        if (e.had) this.code.set(e.addr, e.prev as Uint8Array)
        else this.code.delete(e.addr)
        return
      case 's': {
        const sm = this.storage.get(e.addr)
        if (sm === undefined) return
        if (e.had) sm.slots.set(e.slot, e.prev as Uint8Array)
        else sm.slots.delete(e.slot)
        return
      }
      case 'S':
        if (e.had) this.storage.set(e.addr, e.prev as SlotMap)
        else this.storage.delete(e.addr)
        return
    }
  }

  /** The current contents as a snapshot (accounts, code, known slots). */
  toSnapshot(): StateSnapshot {
    const out: StateSnapshot = new Map()
    for (const [addr, r] of this.accounts) {
      if (r === null) {
        out.set(addr, null)
        continue
      }
      const a: AccountState = { balance: r.balance, nonce: r.nonce, codeHash: r.codeHash, storageRoot: r.storageRoot }
      const c = this.code.get(addr)
      if (c !== undefined && c.length > 0) a.code = c
      const sm = this.storage.get(addr)
      if (sm !== undefined) {
        a.storage = new Map(sm.slots)
        if (sm.complete) a.storageComplete = true
      }
      out.set(addr, a)
    }
    return out
  }

  async getStateRoot(): Promise<Uint8Array> {
    throw new StateError('STATE_NO_ROOT', 'MapStateManager does not compute state roots')
  }
  async setStateRoot(): Promise<void> {
    throw new StateError('STATE_NO_ROOT', 'MapStateManager does not compute state roots')
  }
  async hasStateRoot(): Promise<boolean> {
    return false
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    const copy = new MapStateManager({
      ...(this.fallback !== undefined ? { fallback: this.fallback } : {}),
      ...(this.onMiss !== undefined ? { onMiss: this.onMiss } : {}),
      keccak256: this.keccak,
    })
    copy.load(this.toSnapshot())
    return copy
  }
}

/** Stands for "has storage, root unknown": the account's storage must not be assumed empty. */
export const NONEMPTY_STORAGE_ROOT = new Uint8Array(32).fill(1)

/**
 * Storage root to assume for a snapshot account that carries none: empty only when the snapshot
 * says its storage is complete and holds no non-zero slot; otherwise unknown (slots not in the
 * slice must be read from the fallback, and CREATE must see a collision).
 */
function storageRootHint(a: AccountState): Uint8Array {
  const hasSlots = a.storage !== undefined && [...a.storage.values()].some((v) => v.length > 0)
  return a.storageComplete === true && !hasSlots ? KECCAK256_RLP : NONEMPTY_STORAGE_ROOT
}

/** Address helper: a lowercase 0x address string to an ethereumjs Address. */
export function toAddress(addr: string): Address {
  return new Address(Uint8Array.from(Buffer.from(addr.slice(2), 'hex')))
}
