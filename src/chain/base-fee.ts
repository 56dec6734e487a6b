/**
 * EIP-1559 on the OP stack: parameters by fork (pre-Canyon, Canyon, Holocene's `extraData`,
 * Jovian's minimum base fee) and the next block's base fee from its parent header.
 */
import { ChainError } from './errors.js'
import type { RollupConfig } from './rollup-config.js'
import { activeForks } from './rollup-config.js'

/** EIP-1559 parameters. */
export interface Eip1559Params {
  denominator: bigint
  elasticity: bigint
  /** Jovian+: the base fee never goes below this. */
  minBaseFee?: bigint
}

function u32(b: Uint8Array, off: number): bigint {
  return BigInt(((b[off] as number) << 24) >>> 0) + BigInt(((b[off + 1] as number) << 16) | ((b[off + 2] as number) << 8) | (b[off + 3] as number))
}

function u64(b: Uint8Array, off: number): bigint {
  return (u32(b, off) << 32n) | u32(b, off + 4)
}

function putU32(out: Uint8Array, off: number, v: bigint): void {
  if (v < 0n || v > 0xffffffffn) throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', `EIP-1559 parameter ${v} does not fit in u32`)
  const n = Number(v)
  out[off] = (n >>> 24) & 0xff
  out[off + 1] = (n >>> 16) & 0xff
  out[off + 2] = (n >>> 8) & 0xff
  out[off + 3] = n & 0xff
}

/** Decodes the 8-byte payload-attributes `eip1559Params` (denominator u32, elasticity u32). */
export function decodeEip1559Params(params: Uint8Array): { denominator: bigint; elasticity: bigint } {
  if (params.length !== 8) {
    throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', `eip1559Params must be 8 bytes, got ${params.length}`)
  }
  return { denominator: u32(params, 0), elasticity: u32(params, 4) }
}

/**
 * The Holocene header `extraData`: version 0 || denominator u32 || elasticity u32, from the
 * payload's `eip1559Params`, or the chain's Canyon defaults when those are all zero.
 */
export function encodeHoloceneExtraData(eip1559Params: Uint8Array, config: RollupConfig): Uint8Array {
  let { denominator, elasticity } = decodeEip1559Params(eip1559Params)
  if (denominator === 0n && elasticity === 0n) {
    denominator = config.baseFee.eip1559DenominatorCanyon
    elasticity = config.baseFee.eip1559Elasticity
  } else if (denominator === 0n) {
    throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', 'eip1559Params has a zero denominator with a non-zero elasticity')
  }
  const out = new Uint8Array(9)
  putU32(out, 1, denominator)
  putU32(out, 5, elasticity)
  return out
}

/** The Jovian header `extraData`: version 1 || denominator || elasticity || minBaseFee u64. */
export function encodeJovianExtraData(eip1559Params: Uint8Array, config: RollupConfig, minBaseFee: bigint): Uint8Array {
  const holo = encodeHoloceneExtraData(eip1559Params, config)
  if (minBaseFee < 0n || minBaseFee >= 1n << 64n) throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', 'minBaseFee does not fit in u64')
  const out = new Uint8Array(17)
  out.set(holo, 0)
  out[0] = 1
  putU32(out, 9, minBaseFee >> 32n)
  putU32(out, 13, minBaseFee & 0xffffffffn)
  return out
}

/** Decodes a Holocene (version 0, 9 bytes) or Jovian (version 1, 17 bytes) header `extraData`. */
export function decodeExtraDataParams(extraData: Uint8Array): Eip1559Params {
  const version = extraData[0]
  if (version === 0 && extraData.length === 9) {
    const p: Eip1559Params = { denominator: u32(extraData, 1), elasticity: u32(extraData, 5) }
    if (p.denominator === 0n) throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', 'extraData has a zero EIP-1559 denominator')
    return p
  }
  if (version === 1 && extraData.length === 17) {
    const p: Eip1559Params = { denominator: u32(extraData, 1), elasticity: u32(extraData, 5), minBaseFee: u64(extraData, 9) }
    if (p.denominator === 0n) throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', 'extraData has a zero EIP-1559 denominator')
    return p
  }
  throw new ChainError(
    'CHAIN_INVALID_EIP1559_PARAMS',
    `extraData is not a Holocene (v0, 9 bytes) or Jovian (v1, 17 bytes) encoding: version ${version ?? 'none'}, ${extraData.length} bytes`,
  )
}

/** The parent header fields the base fee depends on. */
export interface BaseFeeParent {
  timestamp: bigint
  gasLimit: bigint
  gasUsed: bigint
  baseFeePerGas: bigint
  extraData: Uint8Array
  blobGasUsed?: bigint | undefined
}

/** The EIP-1559 parameters that govern a block at `timestamp` built on `parent`. */
export function activeEip1559Params(config: RollupConfig, parent: BaseFeeParent, timestamp: bigint): Eip1559Params {
  const forks = activeForks(config, timestamp)
  if (forks.holocene) {
    // From Holocene the parameters live in the parent's extraData, unless the parent predates it.
    if (activeForks(config, parent.timestamp).holocene) return decodeExtraDataParams(parent.extraData)
    return { denominator: config.baseFee.eip1559DenominatorCanyon, elasticity: config.baseFee.eip1559Elasticity }
  }
  if (forks.canyon) return { denominator: config.baseFee.eip1559DenominatorCanyon, elasticity: config.baseFee.eip1559Elasticity }
  return { denominator: config.baseFee.eip1559Denominator, elasticity: config.baseFee.eip1559Elasticity }
}

/** EIP-1559 base fee of the child of `parent` (geth's CalcBaseFee with OP parameters). */
export function nextBaseFee(config: RollupConfig, parent: BaseFeeParent, timestamp: bigint): bigint {
  const p = activeEip1559Params(config, parent, timestamp)
  if (p.elasticity === 0n) throw new ChainError('CHAIN_INVALID_EIP1559_PARAMS', 'EIP-1559 elasticity is zero')
  let gasUsed = parent.gasUsed
  // Jovian: a block's DA footprint (header blobGasUsed) also drives the base fee.
  if (activeForks(config, parent.timestamp).jovian && parent.blobGasUsed !== undefined && parent.blobGasUsed > gasUsed) {
    gasUsed = parent.blobGasUsed
  }
  const target = parent.gasLimit / p.elasticity
  let fee: bigint
  if (gasUsed === target) fee = parent.baseFeePerGas
  else if (gasUsed > target) {
    let delta = (parent.baseFeePerGas * (gasUsed - target)) / target / p.denominator
    if (delta < 1n) delta = 1n
    fee = parent.baseFeePerGas + delta
  } else {
    const delta = (parent.baseFeePerGas * (target - gasUsed)) / target / p.denominator
    fee = parent.baseFeePerGas > delta ? parent.baseFeePerGas - delta : 0n
  }
  if (p.minBaseFee !== undefined && fee < p.minBaseFee) fee = p.minBaseFee
  return fee
}
