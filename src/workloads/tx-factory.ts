/** Builds and signs transactions (native signing through the fast Common). */
import type { Common } from '@ethereumjs/common'
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx, type TypedTransaction } from '@ethereumjs/tx'
import { createFastCommon } from '../crypto/index.js'
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

  /** Builds, signs (deterministic RFC 6979 nonces) and encodes a transaction. */
  build(spec: TxSpec): SignedTx {
    const common = this.commonFor(spec.chainId)
    const base = {
      nonce: spec.nonce,
      gasLimit: spec.gasLimit,
      value: spec.value ?? 0n,
      data: spec.data ?? new Uint8Array(0),
      ...(spec.to !== undefined ? { to: spec.to as Hex } : {}),
    }
    const accessList = (spec.accessList ?? []).map((e) => ({ address: e.address as Hex, storageKeys: e.storageKeys as Hex[] }))
    let tx: TypedTransaction
    switch (spec.type) {
      case 'eip1559':
        tx = createFeeMarket1559Tx(
          {
            ...base,
            maxFeePerGas: spec.maxFeePerGas ?? MAX_FEE_PER_GAS,
            maxPriorityFeePerGas: spec.maxPriorityFeePerGas ?? MAX_PRIORITY_FEE,
            accessList,
          },
          { common },
        ).sign(spec.privateKey, false)
        break
      case 'eip2930':
        tx = createAccessList2930Tx({ ...base, gasPrice: spec.gasPrice ?? LEGACY_GAS_PRICE, accessList }, { common }).sign(spec.privateKey, false)
        break
      case 'legacy':
        tx = createLegacyTx({ ...base, gasPrice: spec.gasPrice ?? LEGACY_GAS_PRICE }, { common }).sign(spec.privateKey, false)
        break
    }
    return { tx, raw: tx.serialize() }
  }
}

/** Picks an envelope for a choice ('mixed': 70% EIP-1559, 15% legacy, 15% EIP-2930). */
export function pickEnvelope(choice: TxTypeChoice, rng: Rng): TxEnvelope {
  if (choice !== 'mixed') return choice
  const i = rng.weighted([70, 15, 15])
  return i === 0 ? 'eip1559' : i === 1 ? 'legacy' : 'eip2930'
}
