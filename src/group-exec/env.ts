/** JSON form of the block environment (bigints as decimal strings) for packages and files. */
import type { BlockEnv } from '../batch-committer/block.js'

export interface BlockEnvJson {
  chainId: string
  hardfork: string
  number: string
  timestamp: string
  coinbase: string
  gasLimit: string
  baseFeePerGas: string
  prevRandao: string
  parentHash: string
  parentBeaconBlockRoot?: string
  excessBlobGas?: string
  extraData?: string
}

/** BlockEnv -> JSON. */
export function envToJson(e: BlockEnv): BlockEnvJson {
  const j: BlockEnvJson = {
    chainId: e.chainId.toString(),
    hardfork: e.hardfork,
    number: e.number.toString(),
    timestamp: e.timestamp.toString(),
    coinbase: e.coinbase,
    gasLimit: e.gasLimit.toString(),
    baseFeePerGas: e.baseFeePerGas.toString(),
    prevRandao: e.prevRandao,
    parentHash: e.parentHash,
  }
  if (e.parentBeaconBlockRoot !== undefined) j.parentBeaconBlockRoot = e.parentBeaconBlockRoot
  if (e.excessBlobGas !== undefined) j.excessBlobGas = e.excessBlobGas.toString()
  if (e.extraData !== undefined) j.extraData = e.extraData
  return j
}

/** JSON -> BlockEnv. */
export function envFromJson(j: BlockEnvJson): BlockEnv {
  const e: BlockEnv = {
    chainId: BigInt(j.chainId),
    hardfork: j.hardfork,
    number: BigInt(j.number),
    timestamp: BigInt(j.timestamp),
    coinbase: j.coinbase.toLowerCase(),
    gasLimit: BigInt(j.gasLimit),
    baseFeePerGas: BigInt(j.baseFeePerGas),
    prevRandao: j.prevRandao,
    parentHash: j.parentHash,
  }
  if (j.parentBeaconBlockRoot !== undefined) e.parentBeaconBlockRoot = j.parentBeaconBlockRoot
  if (j.excessBlobGas !== undefined) e.excessBlobGas = BigInt(j.excessBlobGas)
  if (j.extraData !== undefined) e.extraData = j.extraData
  return e
}
