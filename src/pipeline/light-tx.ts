/**
 * A transaction decoded only as far as prediction and committing need: its RLP fields as bigints
 * and bytes, without ethereumjs' transaction object (about 25 µs and 16 KB of garbage per
 * transaction on the main thread, which on the parallel path never runs it).
 *
 * Only used for bytes that ethereumjs has already decoded and validated with the block's rules
 * elsewhere (a worker recovering senders decodes every transaction fully): this reads the same
 * fields, it does not validate them again. The types read here are legacy, EIP-2930, EIP-1559
 * and EIP-7702; anything else (blob, deposit) is decoded fully by the caller.
 */
import { RLP } from '@ethereumjs/rlp'
import { Capability, type TypedTransaction } from '@ethereumjs/tx'
import { Address, bytesToBigInt } from '@ethereumjs/util'
import type { TxFields } from '../state-verification/index.js'

/** Field positions per transaction type: [count, nonce, gasLimit, to, value, data, accessList]. */
const LAYOUT: Record<number, readonly [number, number, number, number, number, number, number]> = {
  0: [9, 0, 2, 3, 4, 5, -1],
  1: [11, 1, 3, 4, 5, 6, 7],
  2: [12, 1, 4, 5, 6, 7, 8],
  4: [13, 1, 4, 5, 6, 7, 8],
}

export class LightTx implements TxFields {
  readonly type: number
  readonly nonce: bigint
  readonly gasLimit: bigint
  readonly to: Address | undefined
  readonly value: bigint
  readonly data: Uint8Array
  /** The chain id the signature commits to: a typed transaction's own, a legacy one's EIP-155 v (undefined before EIP-155). */
  readonly signedChainId: bigint | undefined
  // Present only on the types that have them, as on ethereumjs' classes (assigned, not declared).
  declare readonly chainId?: bigint
  declare readonly gasPrice?: bigint
  declare readonly maxFeePerGas?: bigint
  declare readonly maxPriorityFeePerGas?: bigint
  declare readonly accessList?: Uint8Array[][]
  declare readonly authorizationList?: Uint8Array[][]

  /** Set by `attach`, once the signer is known. */
  private sender: Address | undefined
  private full: (() => TypedTransaction) | undefined

  private constructor(type: number, f: Uint8Array[]) {
    const [, nonce, gasLimit, to, value, data, accessList] = LAYOUT[type]!
    this.type = type
    this.nonce = bytesToBigInt(f[nonce]!)
    this.gasLimit = bytesToBigInt(f[gasLimit]!)
    this.to = f[to]!.length === 0 ? undefined : new Address(f[to]!)
    this.value = bytesToBigInt(f[value]!)
    this.data = f[data]!
    const self = this as { -readonly [K in keyof LightTx]?: unknown }
    if (type === 0) {
      const v = bytesToBigInt(f[6]!)
      this.signedChainId = v >= 35n ? (v - 35n) >> 1n : undefined
    } else {
      self.chainId = bytesToBigInt(f[0]!)
      this.signedChainId = self.chainId as bigint
    }
    if (type === 0 || type === 1) self.gasPrice = bytesToBigInt(f[1 + (type === 1 ? 1 : 0)]!)
    else {
      self.maxPriorityFeePerGas = bytesToBigInt(f[2]!)
      self.maxFeePerGas = bytesToBigInt(f[3]!)
    }
    if (accessList >= 0) self.accessList = f[accessList] as unknown as Uint8Array[][]
    if (type === 4) self.authorizationList = f[9] as unknown as Uint8Array[][]
  }

  /**
   * The fields of `raw`, or undefined when its type is not one read here or its fields do not have
   * the shape of that type. Usable once `attach` gave it its signer.
   */
  static decode(raw: Uint8Array): LightTx | undefined {
    if (raw.length === 0 || raw[0] === 0) return undefined
    const type = raw[0]! >= 0xc0 ? 0 : raw[0]!
    const layout = LAYOUT[type]
    if (layout === undefined) return undefined
    let f: unknown
    try {
      f = RLP.decode(type === 0 ? raw : raw.subarray(1))
    } catch {
      return undefined
    }
    if (!Array.isArray(f) || f.length !== layout[0]) return undefined
    for (let i = 0; i < f.length; i++) if (i !== layout[6] && !(type === 4 && i === 9) && !(f[i] instanceof Uint8Array)) return undefined
    if (layout[6] >= 0 && !Array.isArray(f[layout[6]])) return undefined
    if (type === 4 && !Array.isArray(f[9])) return undefined
    return new LightTx(type, f as Uint8Array[])
  }

  /** Gives the transaction its signer, and `full`, the fully decoded transaction, for what only it can answer. */
  attach(sender: Address, full: () => TypedTransaction): this {
    this.sender = sender
    this.full = full
    return this
  }

  supports(capability: Capability): boolean {
    switch (capability) {
      case Capability.EIP2718TypedTransaction:
      case Capability.EIP2930AccessLists:
        return this.type !== 0
      case Capability.EIP1559FeeMarket:
        return this.type === 2 || this.type === 4
      case Capability.EIP7702EOACode:
        return this.type === 4
      default:
        // EIP-155 replay protection of a legacy transaction depends on its v and the chain.
        return this.fullTx().supports(capability)
    }
  }

  getSenderAddress(): Address {
    if (this.sender === undefined) throw new Error('LightTx: no signer attached')
    return this.sender
  }

  private fullTx(): TypedTransaction {
    if (this.full === undefined) throw new Error('LightTx: no signer attached')
    return this.full()
  }
}
