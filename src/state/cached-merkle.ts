/**
 * CachedMerkleStateManager: ethereumjs' MerkleStateManager with its caches actually used for
 * storage writes and a flush in go-ethereum's order.
 *
 * - ethereumjs 10.1.3 writes every SSTORE straight into the storage trie even with a storage
 *   cache (`cache.put(...) ?? write(...)` and `put` returns undefined), re-hashing the storage
 *   trie and the account for every write. Here writes stay in the cache until `flush`, so the
 *   tries see only the block's final values — several times faster for storage-heavy blocks.
 * - `flush` applies code, then storage puts before deletions, then account puts before
 *   deletions, as geth does (for stateless execution that order matters: see WitnessStateManager).
 */
import { MerkleStateManager } from '@ethereumjs/statemanager'
import { RLP } from '@ethereumjs/rlp'
import { Account, type Address, bytesToUnprefixedHex, createAddressFromString, unprefixedHexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { StateError } from './errors.js'

type StorageMap = Map<string, Uint8Array>
type DiffMap = Map<string, Uint8Array | undefined>
interface StorageCacheInternals {
  _lruCache?: { get(k: string): StorageMap | undefined; set(k: string, v: StorageMap): void }
  _orderedMapCache?: { getElementByKey(k: string): StorageMap | undefined; setElement(k: string, v: StorageMap): void }
  _diffCache: Map<string, DiffMap>[]
}

/**
 * A storage clear inside a checkpoint: the account's cached slots just before it (`slots`) and
 * the pre-checkpoint values of the slots changed at this level before it (`diff`). Reverting
 * the level restores `slots` with `diff` applied: exactly the slots at the checkpoint.
 */
interface ClearEntry {
  depth: number
  address: Address
  hex: string
  slots: StorageMap
  diff: DiffMap
}

/** A MerkleStateManager that keeps storage writes in its cache until flush. */
export class CachedMerkleStateManager extends MerkleStateManager {
  protected readonly keccakFn: (b: Uint8Array) => Uint8Array
  // ethereumjs' storage cache does not journal `clearStorage` (used by deleteAccount too), and the
  // cached storage trie keeps the cleared root: both are restored here on revert.
  private clears: ClearEntry[] = []
  private depth = 0

  constructor(opts: ConstructorParameters<typeof MerkleStateManager>[0]) {
    super(opts)
    this.keccakFn = opts?.common?.customCrypto.keccak256 ?? keccak_256
  }

  /** Writes the cached changes to the tries: code, storage (puts, then deletions), accounts (puts, then deletions). */
  override async flush(): Promise<void> {
    const caches = this._caches
    if (caches === undefined) return super.flush()
    for (const [addrHex, elem] of caches.code?.flush() ?? []) {
      if (elem.code === undefined) continue
      const addr = createAddressFromString(`0x${addrHex}`)
      const codeHash = this.keccakFn(elem.code)
      await this._trie.database().put(codeHash, elem.code)
      if ((await this.getAccount(addr)) === undefined) await this.putAccount(addr, new Account())
      await this.modifyAccountFields(addr, { codeHash })
    }
    // Per account: slot updates before deletions (geth's order), then one account update.
    const byAccount = new Map<string, { puts: [Uint8Array, Uint8Array][]; dels: Uint8Array[] }>()
    for (const [addrHex, keyHex, value] of caches.storage?.flush() ?? []) {
      let e = byAccount.get(addrHex)
      if (e === undefined) byAccount.set(addrHex, (e = { puts: [], dels: [] }))
      const decoded = RLP.decode(value ?? new Uint8Array(0)) as Uint8Array
      if (decoded.length > 0) e.puts.push([unprefixedHexToBytes(keyHex), decoded])
      else e.dels.push(unprefixedHexToBytes(keyHex))
    }
    for (const [addrHex, e] of byAccount) {
      const address = createAddressFromString(`0x${addrHex}`)
      const account = await this.getAccount(address)
      if (account === undefined) continue
      await this.writeStorageBatch(address, account, e.puts, e.dels)
    }
    const accounts = caches.account?.flush() ?? []
    for (const [addrHex, elem] of accounts) if (elem.accountRLP !== undefined) await this._trie.put(unprefixedHexToBytes(addrHex), elem.accountRLP)
    for (const [addrHex, elem] of accounts) if (elem.accountRLP === undefined) await this._trie.del(unprefixedHexToBytes(addrHex))
  }

  private storageCache(): StorageCacheInternals | undefined {
    return this._caches?.storage as unknown as StorageCacheInternals | undefined
  }

  private slotsOf(c: StorageCacheInternals, hex: string): StorageMap | undefined {
    return c._lruCache !== undefined ? c._lruCache.get(hex) : c._orderedMapCache?.getElementByKey(hex)
  }

  private saveStorageMap(address: Address): void {
    if (this.depth === 0) return
    const c = this.storageCache()
    if (c === undefined) return
    const hex = bytesToUnprefixedHex(address.bytes)
    this.clears.push({
      depth: this.depth,
      address,
      hex,
      slots: new Map(this.slotsOf(c, hex) ?? []),
      diff: new Map(c._diffCache[this.depth]?.get(hex) ?? []),
    })
  }

  override async checkpoint(): Promise<void> {
    await super.checkpoint()
    this.depth++
  }

  override async commit(): Promise<void> {
    const c = this.storageCache()
    // Clears of the level being committed join the parent level: their diff gains the parent's
    // pre-states (older, so they win) of slots changed before this level began.
    for (const e of this.clears) {
      if (e.depth !== this.depth) continue
      const parent = c?._diffCache[this.depth - 1]?.get(e.hex)
      if (parent !== undefined) for (const [k, v] of parent) e.diff.set(k, v)
      e.depth = this.depth - 1
    }
    await super.commit()
    this.depth--
    if (this.depth === 0) this.clears = []
  }

  override async revert(): Promise<void> {
    await super.revert()
    const c = this.storageCache()
    // Undo this level's clears, oldest last (the oldest one's snapshot is the level's start).
    while (this.clears.length > 0 && this.clears[this.clears.length - 1]!.depth === this.depth) {
      const e = this.clears.pop()!
      const map = new Map(e.slots)
      for (const [k, v] of e.diff) {
        if (v === undefined) map.delete(k)
        else map.set(k, v)
      }
      if (c?._lruCache !== undefined) c._lruCache.set(e.hex, map)
      else c?._orderedMapCache?.setElement(e.hex, map)
      // The cached storage trie kept the cleared root: drop it so it is rebuilt from the account.
      this.dropStorageTrie(e.address)
    }
    this.depth--
  }

  override async deleteAccount(address: Address): Promise<void> {
    this.saveStorageMap(address)
    await super.deleteAccount(address)
    // ethereumjs keeps the deleted account's storage trie object: a re-created account would read it.
    this.dropStorageTrie(address)
  }

  private dropStorageTrie(address: Address): void {
    delete (this as unknown as { _storageTries: Record<string, unknown> })._storageTries[bytesToUnprefixedHex(this.keccakFn(address.bytes))]
  }

  override async clearStorage(address: Address): Promise<void> {
    this.saveStorageMap(address)
    await super.clearStorage(address)
  }

  /** Keeps the write in the storage cache (see the class comment). */
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const cache = this._caches?.storage
    if (cache === undefined) return super.putStorage(address, key, value)
    if (key.length !== 32) throw new StateError('STATE_INVALID_WRITE', 'storage key must be 32 bytes')
    if ((await this.getAccount(address)) === undefined) {
      throw new StateError('STATE_INVALID_WRITE', `putStorage on non-existing account ${address.toString()}`)
    }
    let i = 0
    while (i < value.length && value[i] === 0) i++
    cache.put(address, key, RLP.encode(value.subarray(i)))
  }

  /** Applies an account's slot updates and deletions to its storage trie, then updates the account once. */
  protected async writeStorageBatch(address: Address, account: Account, puts: [Uint8Array, Uint8Array][], dels: Uint8Array[]): Promise<void> {
    const trie = this._getStorageTrie(address, account)
    for (const [key, value] of puts) await this.writeSlot(trie, address, key, value)
    for (const key of dels) await this.writeSlot(trie, address, key, new Uint8Array(0))
    account.storageRoot = trie.root()
    await this.putAccount(address, account)
  }

  /** Writes one slot into a storage trie (subclasses add context to errors). */
  protected async writeSlot(trie: ReturnType<MerkleStateManager['_getStorageTrie']>, _address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    if (value.length > 0) await trie.put(key, RLP.encode(value))
    else await trie.del(key)
  }

  // ethereumjs runs this inside a `new Promise(async ...)` executor, where a thrown error becomes an
  // unhandled rejection; this version propagates errors (subclasses name the slot).
  protected override async _writeContractStorage(address: Address, account: Account, key: Uint8Array, value: Uint8Array): Promise<void> {
    const trie = this._getStorageTrie(address, account)
    if (value.length > 0) await trie.put(key, RLP.encode(value))
    else await trie.del(key)
    account.storageRoot = trie.root()
    await this.putAccount(address, account)
  }
}
