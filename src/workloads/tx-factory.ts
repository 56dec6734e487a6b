/** Builds and signs transactions (native signing through the fast Common). */
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { bigIntToUnpaddedBytes, unpadBytes } from '@ethereumjs/util'
import { createFastCommon, keccak256, nativeEcsign } from '../crypto/index.js'
import { fromHex } from '../common/index.js'
import { LEGACY_GAS_PRICE, MAX_FEE_PER_GAS, MAX_PRIORITY_FEE } from './constants.js'
import type { Rng } from './rng.js'
import type { TxTypeChoice } from './types.js'

export type TxEnvelope = 'eip1559' | 'legacy' | 'eip2930'

/** An access-list entry (EIP-2930), as hex strings. */
export interface AccessListEntry {
  address: string
  storageKeys: string[]
}

/** What to sign. */
export interface TxSpec {
  type: TxEnvelope
  privateKey: Uint8Array
  nonce: bigint
  /** Undefined for a contract creation. */
  to?: string
  value?: bigint
  data?: Uint8Array
  gasLimit: bigint
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  gasPrice?: bigint
  accessList?: AccessListEntry[]
  /** Sign for another chain (a `wrongChainId` transaction). */
  chainId?: bigint
}

/** A signed transaction and its canonical bytes. */
export interface SignedTx {
  tx: TypedTransaction
  raw: Uint8Array
}

type Hex = `0x${string}`

/** Signs transactions for one Common (and, on demand, for other chain ids). */
export class TxFactory {
  private readonly others = new Map<bigint, Common>()

  constructor(readonly common: Common) {}

  private commonFor(chainId: bigint | undefined): Common {
    if (chainId === undefined || chainId === this.common.chainId()) return this.common
    let c = this.others.get(chainId)
    if (c === undefined) {
      c = createFastCommon({ chainId, hardfork: this.common.hardfork() })
      this.others.set(chainId, c)
    }
    return c
  }

  /**
   * Builds, signs (deterministic RFC 6979 nonces) and encodes a transaction. The signing
   * payload and the signed encoding are assembled here (EIP-155 legacy, EIP-2930, EIP-1559)
   * and decoded once with ethereumjs, which costs one transaction construction instead of the
   * two of `create().sign()` (each one copies the Common and rebuilds its parameter cache).
   * Tests check the bytes equal ethereumjs' own `create().sign()` output.
   */
  build(spec: TxSpec): SignedTx {
    const common = this.commonFor(spec.chainId)
    const chainId = common.chainId()
    const u = bigIntToUnpaddedBytes
    const to = spec.to !== undefined ? fromHex(spec.to) : new Uint8Array(0)
    const value = u(spec.value ?? 0n)
    const data = spec.data ?? new Uint8Array(0)
    const accessList = (spec.accessList ?? []).map((e) => [fromHex(e.address), e.storageKeys.map(fromHex)])
    let payload: Array<Uint8Array | unknown[]>
    let prefix: number | undefined
    switch (spec.type) {
      case 'eip1559':
        prefix = 2
        payload = [
          u(chainId),
          u(spec.nonce),
          u(spec.maxPriorityFeePerGas ?? MAX_PRIORITY_FEE),
          u(spec.maxFeePerGas ?? MAX_FEE_PER_GAS),
          u(spec.gasLimit),
          to,
          value,
          data,
          accessList,
        ]
        break
      case 'eip2930':
        prefix = 1
        payload = [u(chainId), u(spec.nonce), u(spec.gasPrice ?? LEGACY_GAS_PRICE), u(spec.gasLimit), to, value, data, accessList]
        break
      case 'legacy':
        payload = [u(spec.nonce), u(spec.gasPrice ?? LEGACY_GAS_PRICE), u(spec.gasLimit), to, value, data]
        break
    }
    const typed = (body: Uint8Array): Uint8Array => {
      if (prefix === undefined) return body
      const out = new Uint8Array(body.length + 1)
      out[0] = prefix
      out.set(body, 1)
      return out
    }
    const unsigned = spec.type === 'legacy' ? [...payload, u(chainId), new Uint8Array(0), new Uint8Array(0)] : payload
    const msgHash = keccak256(typed(RLP.encode(unsigned as never)))
    const sig = nativeEcsign(msgHash, spec.privateKey, { prehash: false, format: 'recovered', extraEntropy: false })
    const recid = BigInt(sig[0] ?? 0)
    const v = spec.type === 'legacy' ? recid + 35n + 2n * chainId : recid
    const raw = typed(RLP.encode([...payload, u(v), unpadBytes(sig.subarray(1, 33)), unpadBytes(sig.subarray(33, 65))] as never))
    return { tx: createTxFromRLP(raw, { common }), raw }
  }
}

/** Picks an envelope for a choice ('mixed': 70% EIP-1559, 15% legacy, 15% EIP-2930). */
export function pickEnvelope(choice: TxTypeChoice, rng: Rng): TxEnvelope {
  if (choice !== 'mixed') return choice
  const i = rng.weighted([70, 15, 15])
  return i === 0 ? 'eip1559' : i === 1 ? 'legacy' : 'eip2930'
}
