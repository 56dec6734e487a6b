/**
 * Witness-backed state: an ethereumjs MerkleStateManager over a WitnessDB rooted at the parent
 * state root. Reads walk the real tries, so every value is proven by the witness; a trie node or
 * code the witness lacks raises a coded error naming the account (and slot) being read. The
 * post-state root is the trie root after the block's writes (`getStateRoot()`).
 */
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { RLP } from '@ethereumjs/rlp'
import { Account, type Address, ValueEncoding, bytesToHex, bytesToUnprefixedHex, createAddressFromString, unprefixedHexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { StateError } from './errors.js'
import { type PreimageMap, WitnessDB, WitnessMissError, buildPreimageMap } from './witness-db.js'

export interface WitnessStateOptions {
  /** Witness entries (0x-hex) or an already built preimage map. */
  witness: Iterable<string | Uint8Array> | PreimageMap
  /** Parent state root. */
  stateRoot: Uint8Array
  common?: Common
  /** Use ethereumjs' account/storage/code caches (faster; on by default). */
  caches?: boolean
}

function rethrow(e: unknown, what: string, details: Record<string, unknown>): never {
  if (e instanceof WitnessMissError) {
    throw new StateError('STATE_WITNESS_MISSING_NODE', `witness is incomplete: no trie node ${e.hash} needed to ${what}`, {
      details: { ...details, node: e.hash },
      cause: e,
    })
  }
  throw e
}

/** MerkleStateManager whose missing-witness errors name the key being accessed. */
export class WitnessStateManager extends MerkleStateManager {
  readonly preimages: PreimageMap
  private readonly keccak: (b: Uint8Array) => Uint8Array

  constructor(opts: ConstructorParameters<typeof MerkleStateManager>[0] & { preimages: PreimageMap }) {
    super(opts)
    this.preimages = opts.preimages
    this.keccak = opts?.common?.customCrypto.keccak256 ?? keccak_256
  }

  override async getAccount(address: Address): Promise<Account | undefined> {
    try {
      return await super.getAccount(address)
    } catch (e) {
      rethrow(e, `read account ${address.toString()}`, { address: address.toString() })
    }
  }

  override async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    try {
      return await super.getStorage(address, key)
    } catch (e) {
      rethrow(e, `read slot ${bytesToHex(key)} of ${address.toString()}`, { address: address.toString(), slot: bytesToHex(key) })
    }
  }

  override async getCode(address: Address): Promise<Uint8Array> {
    try {
      return await super.getCode(address)
    } catch (e) {
      if (e instanceof WitnessMissError) {
        // The account was readable, so the miss is its code (looked up by code hash).
        throw new StateError('STATE_WITNESS_MISSING_CODE', `witness has no code for ${address.toString()} (code hash ${e.hash})`, {
          details: { address: address.toString(), codeHash: e.hash },
          cause: e,
        })
      }
      throw e
    }
  }

  /**
   * Writes the cached changes to the tries like go-ethereum does: updates before deletions, per
   * storage trie and in the account trie. A deletion that collapses a branch must resolve the
   * remaining sibling; geth avoids that when an insertion keeps the branch alive, so its
   * witnesses do not carry those siblings and the order matters for stateless execution.
   */
  override async flush(): Promise<void> {
    const caches = this._caches
    if (caches === undefined) return super.flush()
    for (const [addrHex, elem] of caches.code?.flush() ?? []) {
      if (elem.code === undefined) continue
      const addr = createAddressFromString(`0x${addrHex}`)
      const codeHash = this.keccak(elem.code)
      await this._trie.database().put(codeHash, elem.code)
      if ((await this.getAccount(addr)) === undefined) await this.putAccount(addr, new Account())
      await this.modifyAccountFields(addr, { codeHash })
    }
    const storage = caches.storage?.flush() ?? []
    const puts: typeof storage = []
    const dels: typeof storage = []
    for (const item of storage) {
      const decoded = RLP.decode(item[2] ?? new Uint8Array(0)) as Uint8Array
      ;(decoded.length > 0 ? puts : dels).push(item)
    }
    for (const [addrHex, keyHex, value] of [...puts, ...dels]) {
      const address = createAddressFromString(`0x${addrHex}`)
      const account = await this.getAccount(address)
      if (account !== undefined) {
        await this._writeContractStorage(address, account, unprefixedHexToBytes(keyHex), RLP.decode(value ?? new Uint8Array(0)) as Uint8Array)
      }
    }
    const accounts = caches.account?.flush() ?? []
    for (const [addrHex, elem] of accounts) if (elem.accountRLP !== undefined) await this._trie.put(unprefixedHexToBytes(addrHex), elem.accountRLP)
    for (const [addrHex, elem] of accounts) if (elem.accountRLP === undefined) await this._trie.del(unprefixedHexToBytes(addrHex))
  }

  // ethereumjs 10.1.3 writes every SSTORE to the storage trie immediately even with a storage
  // cache (`cache.put(...) ?? write(...)`, and put returns undefined). Keep writes in the cache
  // until flush so the tries see only the block's final values, in geth's order.
  override async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const cache = this._caches?.storage
    if (cache === undefined) return super.putStorage(address, key, value)
    if (key.length !== 32) throw new StateError('STATE_WITNESS_INVALID', 'storage key must be 32 bytes')
    if ((await this.getAccount(address)) === undefined) {
      throw new StateError('STATE_WITNESS_INVALID', `putStorage on non-existing account ${address.toString()}`)
    }
    let v = value
    let i = 0
    while (i < v.length && v[i] === 0) i++
    v = v.subarray(i)
    cache.put(address, key, RLP.encode(v))
  }

  // ethereumjs runs this inside a `new Promise(async ...)` executor, where a thrown error becomes an
  // unhandled rejection; this version propagates errors and names the slot being written.
  protected override async _writeContractStorage(address: Address, account: Account, key: Uint8Array, value: Uint8Array): Promise<void> {
    const trie = this._getStorageTrie(address, account)
    try {
      if (value.length > 0) await trie.put(key, RLP.encode(value))
      else await trie.del(key)
    } catch (e) {
      rethrow(e, `${value.length > 0 ? 'write' : 'delete'} slot ${bytesToHex(key)} of ${address.toString()}`, {
        address: address.toString(),
        slot: bytesToHex(key),
      })
    }
    account.storageRoot = trie.root()
    await this.putAccount(address, account)
  }

  override async commit(): Promise<void> {
    try {
      await super.commit()
    } catch (e) {
      rethrow(e, 'write the block\'s changes into the tries (a write or delete touched an unproven part of a trie)', {})
    }
  }

  override async getStateRoot(): Promise<Uint8Array> {
    try {
      return await super.getStateRoot()
    } catch (e) {
      rethrow(e, 'compute the post-state root (a write or delete touched an unproven part of a trie)', {})
    }
  }
}

/** Builds the parent state from a witness; STATE_NO_ROOT when the root node is not in it. */
export async function createWitnessStateManager(opts: WitnessStateOptions): Promise<WitnessStateManager> {
  const preimages = opts.witness instanceof Map ? opts.witness : buildPreimageMap(opts.witness)
  const rootHex = bytesToUnprefixedHex(opts.stateRoot)
  if (!preimages.has(rootHex)) {
    throw new StateError('STATE_NO_ROOT', `witness does not contain the parent state root node 0x${rootHex}`, {
      details: { stateRoot: `0x${rootHex}` },
    })
  }
  const trie = await createMPT({
    db: new WitnessDB(preimages),
    root: opts.stateRoot,
    useKeyHashing: true,
    valueEncoding: ValueEncoding.Bytes,
    ...(opts.common !== undefined ? { common: opts.common } : {}),
  })
  return new WitnessStateManager({
    trie,
    preimages,
    prefixCodeHashes: false,
    ...(opts.common !== undefined ? { common: opts.common } : {}),
    ...(opts.caches === false ? {} : { caches: new Caches() }),
  })
}
