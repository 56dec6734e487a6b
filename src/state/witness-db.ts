/**
 * A witness as a key-value store: keccak256(preimage) -> preimage for every entry (state and
 * storage trie nodes, contract code, headers). It backs an ethereumjs MPT directly: a lookup of a
 * hash the witness does not hold throws STATE_WITNESS_MISSING_NODE instead of returning nothing,
 * so a stateless run can never silently read an empty value where real state exists.
 */
import type { BatchDBOp, DB } from '@ethereumjs/util'
import { bytesToUnprefixedHex, hexToBytes } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { StateError } from './errors.js'

const EMPTY_TRIE_ROOT_HEX = '56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421'

/** Raised on a lookup miss; carries the hash so callers can add the account/slot they were reading. */
export class WitnessMissError extends StateError {
  readonly hash: string
  constructor(hash: string) {
    super('STATE_WITNESS_MISSING_NODE', `witness has no preimage for 0x${hash}`, { details: { hash: `0x${hash}` } })
    this.hash = `0x${hash}`
  }
}

/** Preimages keyed by unprefixed lowercase hex of their keccak256. */
export type PreimageMap = Map<string, Uint8Array>

/** Hashes every witness entry (0x-hex strings or bytes) into a preimage map. */
export function buildPreimageMap(entries: Iterable<string | Uint8Array>, keccak256: (b: Uint8Array) => Uint8Array = keccak_256): PreimageMap {
  const map: PreimageMap = new Map()
  let i = 0
  for (const e of entries) {
    let bytes: Uint8Array
    if (typeof e === 'string') {
      if (!/^0x([0-9a-fA-F]{2})*$/.test(e)) {
        throw new StateError('STATE_WITNESS_INVALID', `witness entry ${i} is not an even-length 0x-hex string`, { details: { index: i } })
      }
      bytes = hexToBytes(e as `0x${string}`)
    } else bytes = e
    map.set(bytesToUnprefixedHex(keccak256(bytes)), bytes)
    i++
  }
  return map
}

/** A DB over a preimage map. Writes go to an overlay; the witness itself is never modified. */
export class WitnessDB implements DB<string, Uint8Array> {
  private readonly overlay: Map<string, Uint8Array>
  constructor(
    private readonly preimages: PreimageMap,
    overlay?: Map<string, Uint8Array>,
  ) {
    this.overlay = overlay ?? new Map()
  }

  /** True when the witness (or a later write) holds `hash` (unprefixed hex). */
  has(hash: string): boolean {
    return this.overlay.has(hash) || this.preimages.has(hash)
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = this.overlay.get(key) ?? this.preimages.get(key)
    // The empty trie has no node; ethereumjs' MPT treats "missing" at the empty root as "no value".
    if (v === undefined && key === EMPTY_TRIE_ROOT_HEX) return undefined
    if (v === undefined) throw new WitnessMissError(key)
    return v
  }

  async put(key: string, val: Uint8Array): Promise<void> {
    this.overlay.set(key, val)
  }

  async del(key: string): Promise<void> {
    // Content-addressed nodes are never deleted (pruning is off); keep the witness intact.
    this.overlay.delete(key)
  }

  async batch(ops: BatchDBOp<string, Uint8Array>[]): Promise<void> {
    for (const op of ops) {
      if (op.type === 'put') await this.put(op.key, op.value)
      else await this.del(op.key)
    }
  }

  shallowCopy(): WitnessDB {
    return new WitnessDB(this.preimages, this.overlay)
  }

  async open(): Promise<void> {}
}
