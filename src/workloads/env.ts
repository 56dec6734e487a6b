/** Block environment: defaults, the matching Common, and an ethereumjs Block for it. */
import { createBlock, type Block } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createFastCommon } from '../crypto/index.js'
import { fromHex, toHex } from '../common/index.js'
import {
  DEFAULT_BASE_FEE,
  DEFAULT_BLOCK_NUMBER,
  DEFAULT_CHAIN_ID,
  DEFAULT_COINBASE,
  DEFAULT_HARDFORK,
  DEFAULT_TIMESTAMP,
  MIN_BLOCK_GAS_LIMIT,
} from './constants.js'
import { keccak256 } from '../crypto/index.js'
import type { BlockEnv } from './types.js'
import { WorkloadError } from './errors.js'

/** A block environment with defaults for every field not given. */
export function createBlockEnv(seed: number, over: Partial<BlockEnv> = {}): BlockEnv {
  return {
    number: over.number ?? DEFAULT_BLOCK_NUMBER,
    timestamp: over.timestamp ?? DEFAULT_TIMESTAMP,
    coinbase: (over.coinbase ?? DEFAULT_COINBASE).toLowerCase(),
    gasLimit: over.gasLimit ?? MIN_BLOCK_GAS_LIMIT,
    baseFee: over.baseFee ?? DEFAULT_BASE_FEE,
    prevRandao: over.prevRandao ?? keccak256(new TextEncoder().encode(`paradag-randao:${seed}`)),
    chainId: over.chainId ?? DEFAULT_CHAIN_ID,
    hardfork: over.hardfork ?? DEFAULT_HARDFORK,
  }
}

/** The fast Common (native crypto) for a block environment. */
export function commonForEnv(env: BlockEnv): Common {
  return createFastCommon({ chainId: env.chainId, hardfork: env.hardfork })
}

/** An ethereumjs Block (no transactions) whose header carries the environment. */
export function createEnvBlock(env: BlockEnv, common: Common = commonForEnv(env)): Block {
  return createBlock(
    {
      header: {
        number: env.number,
        timestamp: env.timestamp,
        coinbase: fromHex(env.coinbase),
        gasLimit: env.gasLimit,
        baseFeePerGas: env.baseFee,
        mixHash: env.prevRandao,
        difficulty: 0n,
      },
    },
    { common },
  )
}

/** JSON form of a block environment (bigints as 0x-hex). */
export interface BlockEnvJson {
  number: string
  timestamp: string
  coinbase: string
  gasLimit: string
  baseFee: string
  prevRandao: string
  chainId: string
  hardfork: string
}

const big = (v: bigint): string => `0x${v.toString(16)}`

/** Converts a block environment to its JSON form. */
export function blockEnvToJson(env: BlockEnv): BlockEnvJson {
  return {
    number: big(env.number),
    timestamp: big(env.timestamp),
    coinbase: env.coinbase,
    gasLimit: big(env.gasLimit),
    baseFee: big(env.baseFee),
    prevRandao: toHex(env.prevRandao),
    chainId: big(env.chainId),
    hardfork: env.hardfork,
  }
}

/** Parses the JSON form of a block environment. */
export function blockEnvFromJson(j: BlockEnvJson): BlockEnv {
  const fields = ['number', 'timestamp', 'coinbase', 'gasLimit', 'baseFee', 'prevRandao', 'chainId', 'hardfork'] as const
  for (const f of fields) {
    if (typeof (j as unknown as Record<string, unknown>)[f] !== 'string') {
      throw new WorkloadError('WORKLOAD_BAD_JSON', `blockEnv.${f} must be a string`, { details: { field: f } })
    }
  }
  const prevRandao = fromHex(j.prevRandao)
  if (prevRandao.length !== 32) throw new WorkloadError('WORKLOAD_BAD_JSON', 'blockEnv.prevRandao must be 32 bytes')
  return {
    number: BigInt(j.number),
    timestamp: BigInt(j.timestamp),
    coinbase: j.coinbase.toLowerCase(),
    gasLimit: BigInt(j.gasLimit),
    baseFee: BigInt(j.baseFee),
    prevRandao,
    chainId: BigInt(j.chainId),
    hardfork: j.hardfork,
  }
}
