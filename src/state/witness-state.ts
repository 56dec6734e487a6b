/**
 * Witness-backed state: an ethereumjs MerkleStateManager over a WitnessDB rooted at the parent
 * state root. Reads walk the real tries, so every value is proven by the witness; a trie node or
 * code the witness lacks raises a coded error naming the account (and slot) being read. The
 * post-state root is the trie root after the block's writes (`getStateRoot()`).
 */
import type { Common } from '@ethereumjs/common'
import { createMPT } from '@ethereumjs/mpt'
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager'
import { type Account, type Address, ValueEncoding, bytesToHex, bytesToUnprefixedHex } from '@ethereumjs/util'
import { StateError } from './errors.js'
import { type PreimageMap, WitnessDB, WitnessMissError, buildPreimageMap } from './witness-db.js'
import { CachedMerkleStateManager } from './cached-merkle.js'

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
export class WitnessStateManager extends CachedMerkleStateManager {
  readonly preimages: PreimageMap

  constructor(opts: ConstructorParameters<typeof MerkleStateManager>[0] & { preimages: PreimageMap }) {
    super(opts)
    this.preimages = opts.preimages
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
