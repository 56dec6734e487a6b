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
import { Account, type Address, bytesToUnprefixedHex, concatBytes, createAccountFromRLP, createAddressFromString, unprefixedHexToBytes, utf8ToBytes } from '@ethereumjs/util'
import { batchUpdateTrie, emptyTrieRoot, type TrieUpdate } from './trie/batch-update.js'
import { TrieReader } from './trie/reader.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { StateError } from './errors.js'

/** ethereumjs' key prefix for contract code in its code database (`CODEHASH_PREFIX`). */
const CODEHASH_PREFIX = utf8ToBytes('c')
const RLP_EMPTY = Uint8Array.of(0x80)

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

  // Cold reads walk the tries through a cache of decoded nodes (ethereumjs re-decodes every path).
  private readonly reader: TrieReader

  constructor(opts: ConstructorParameters<typeof MerkleStateManager>[0]) {
    super(opts)
    this.keccakFn = opts?.common?.customCrypto.keccak256 ?? keccak_256
    const db = this._trie.database()
    this.reader = new TrieReader((h) => db.get(h), bytesToUnprefixedHex(emptyTrieRoot(this.keccakFn)))
  }

  /** As ethereumjs' `getAccount`, with the trie read through the node cache. */
  override async getAccount(address: Address): Promise<Account | undefined> {
    const cache = this._caches?.account
    const elem = cache?.get(address)
    if (elem !== undefined) return elem.accountRLP !== undefined ? createAccountFromRLP(elem.accountRLP) : undefined
    const rlp = await this.reader.get(this._trie.root(), this.keccakFn(address.bytes))
    const account = rlp !== null ? createAccountFromRLP(rlp) : undefined
    cache?.put(address, account)
    return account
  }

  /** Open checkpoints (0: changes are final once flushed). */
  get checkpointDepth(): number {
    return this.depth
  }

  /** Whether `address` exists, without decoding a cached account. */
  async accountExists(address: Address): Promise<boolean> {
    const elem = this._caches?.account?.get(address)
    if (elem !== undefined) return elem.accountRLP !== undefined
    return (await this.getAccount(address)) !== undefined
  }

  /** As ethereumjs' `getStorage`, with the storage trie read through the node cache. */
  override async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const cache = this._caches?.storage
    if (cache === undefined) return super.getStorage(address, key)
    if (key.length !== 32) throw new StateError('STATE_INVALID_WRITE', 'storage key must be 32 bytes')
    const cached = cache.get(address, key)
    if (cached !== undefined) return RLP.decode(cached) as Uint8Array
    const account = await this.getAccount(address)
    if (account === undefined) return new Uint8Array(0)
    const value = await this.reader.get(account.storageRoot, this.keccakFn(key))
    cache.put(address, key, value ?? RLP_EMPTY)
    return RLP.decode(value ?? new Uint8Array(0)) as Uint8Array
  }

  /**
   * Writes the cached changes to the tries: code, then each account's storage, then the accounts.
   * Each trie gets one batch update with deferred hashing (`batchUpdateTrie`), which resolves the
   * same nodes as geth's puts-then-deletions order and hashes every changed node once.
   */
  override async flush(): Promise<void> {
    const caches = this._caches
    if (caches === undefined) return super.flush()
    for (const [addrHex, elem] of caches.code?.flush() ?? []) {
      if (elem.code === undefined) continue
      const addr = createAddressFromString(`0x${addrHex}`)
      const codeHash = this.keccakFn(elem.code)
      const key = this._prefixCodeHashes ? concatBytes(CODEHASH_PREFIX, codeHash) : codeHash
      await this._getCodeDB().put(key, elem.code)
      if ((await this.getAccount(addr)) === undefined) await this.putAccount(addr, new Account())
      await this.modifyAccountFields(addr, { codeHash })
    }
    const byAccount = new Map<string, TrieUpdate[]>()
    for (const [addrHex, keyHex, value] of caches.storage?.flush() ?? []) {
      let e = byAccount.get(addrHex)
      if (e === undefined) byAccount.set(addrHex, (e = []))
      const slot = unprefixedHexToBytes(keyHex)
      // The cache holds RLP(value); an empty value is a deletion (as in ethereumjs' own flush).
      const decoded = RLP.decode(value ?? new Uint8Array(0)) as Uint8Array
      e.push({ key: this.keccakFn(slot), value: decoded.length > 0 ? RLP.encode(decoded) : null, label: `slot 0x${keyHex}` })
    }
    for (const [addrHex, updates] of byAccount) {
      const address = createAddressFromString(`0x${addrHex}`)
      const account = await this.getAccount(address)
      if (account === undefined) continue
      account.storageRoot = await this.updateTrie(account.storageRoot, updates, `storage of 0x${addrHex}`)
      this.dropStorageTrie(address)
      await this.putAccount(address, account)
    }
    const accounts = caches.account?.flush() ?? []
    if (accounts.length === 0) return
    const updates: TrieUpdate[] = accounts.map(([addrHex, elem]) => ({
      key: this.keccakFn(unprefixedHexToBytes(addrHex)),
      value: elem.accountRLP ?? null,
      label: `account 0x${addrHex}`,
    }))
    this._trie.root(await this.updateTrie(this._trie.root(), updates, 'account trie'))
  }

  /** One batch update of a trie over this state's node database; returns the new root. */
  protected async updateTrie(root: Uint8Array, updates: TrieUpdate[], trieName: string): Promise<Uint8Array> {
    const db = this._trie.database()
    const written: { type: 'put'; key: Uint8Array; value: Uint8Array }[] = []
    const next = await batchUpdateTrie(root, updates, {
      read: (h) => db.get(h),
      write: (h, rlp) => void written.push({ type: 'put', key: h, value: rlp }),
      keccak256: this.keccakFn,
      trieName,
      // Paths the block read are decoded already; the updated trie stays decoded for later reads.
      rootRef: this.reader.rootRef(root),
      onUpdated: (r, node) => this.reader.adopt(r, node),
    })
    if (written.length > 0) await db.batch(written)
    return next
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
    if (!(await this.accountExists(address))) {
      throw new StateError('STATE_INVALID_WRITE', `putStorage on non-existing account ${address.toString()}`)
    }
    let i = 0
    while (i < value.length && value[i] === 0) i++
    cache.put(address, key, RLP.encode(value.subarray(i)))
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
