/**
 * BLOCKHASH from a witness: the witness carries the RLP headers of recent ancestors; starting from
 * the parent's hash, each header gives its own parent's hash. Implements the EVM's blockchain
 * interface (`getBlock(number).hash()`); a header the witness lacks raises
 * STATE_WITNESS_MISSING_HEADER naming the block number.
 */
import { RLP } from '@ethereumjs/rlp'
import { bytesToBigInt, bytesToHex, bytesToUnprefixedHex } from '@ethereumjs/util'
import { StateError } from './errors.js'
import type { PreimageMap } from './witness-db.js'

interface MockBlock {
  hash(): Uint8Array
}

/** Ancestor block hashes resolved through the witness headers. */
export class WitnessBlockHashes {
  private readonly byNumber = new Map<bigint, Uint8Array>()
  private lowest: bigint

  constructor(
    private readonly preimages: PreimageMap,
    parentNumber: bigint,
    parentHash: Uint8Array,
  ) {
    this.byNumber.set(parentNumber, parentHash)
    this.lowest = parentNumber
  }

  /** Hash of block `number` (an ancestor at or below the parent). */
  blockHash(number: bigint): Uint8Array {
    const known = this.byNumber.get(number)
    if (known !== undefined) return known
    if (number > this.lowest) {
      throw new StateError('STATE_WITNESS_MISSING_HEADER', `block ${number} is not an ancestor known to the witness`, { details: { number: number.toString() } })
    }
    while (this.lowest > number) {
      const childHash = this.byNumber.get(this.lowest) as Uint8Array
      const rlp = this.preimages.get(bytesToUnprefixedHex(childHash))
      if (rlp === undefined) {
        throw new StateError(
          'STATE_WITNESS_MISSING_HEADER',
          `witness lacks header ${bytesToHex(childHash)} (block ${this.lowest}) needed for BLOCKHASH(${number})`,
          { details: { number: number.toString(), missingHeader: bytesToHex(childHash) } },
        )
      }
      const fields = RLP.decode(rlp) as Uint8Array[]
      const parentHash = fields[0]
      const num = fields[8]
      if (!Array.isArray(fields) || !(parentHash instanceof Uint8Array) || !(num instanceof Uint8Array) || bytesToBigInt(num) !== this.lowest) {
        throw new StateError('STATE_WITNESS_INVALID', `witness entry ${bytesToHex(childHash)} is not the header of block ${this.lowest}`)
      }
      this.lowest -= 1n
      this.byNumber.set(this.lowest, parentHash)
    }
    return this.byNumber.get(number) as Uint8Array
  }

  // EVM blockchain interface
  async getBlock(blockId: number): Promise<MockBlock> {
    const h = this.blockHash(BigInt(blockId))
    return { hash: () => h }
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): WitnessBlockHashes {
    return this
  }
}
