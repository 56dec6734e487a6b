/**
 * The block being executed: its Common, an ethereumjs Block carrying the environment that the
 * EVM sees (coinbase, number, timestamp, base fee, prevRandao), and the pre-transaction system
 * writes (EIP-4788 beacon root, EIP-2935 parent hash) that run before any transaction.
 */
import { createBlock, type Block } from '@ethereumjs/block'
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import { Address, bigIntToBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { BlockEnv } from '../batch-committer/block.js'

/** Builds the ethereumjs Block used as the EVM environment for every transaction. */
export function createEnvBlock(env: BlockEnv, common: Common): Block {
  const header: Record<string, unknown> = {
    number: env.number,
    timestamp: env.timestamp,
    coinbase: hexToBytes(env.coinbase as `0x${string}`),
    gasLimit: env.gasLimit,
    baseFeePerGas: env.baseFeePerGas,
    mixHash: hexToBytes(env.prevRandao as `0x${string}`),
    parentHash: hexToBytes(env.parentHash as `0x${string}`),
    difficulty: 0n,
  }
  if (common.isActivatedEIP(4844)) header.excessBlobGas = env.excessBlobGas ?? 0n
  if (common.isActivatedEIP(4788) && env.parentBeaconBlockRoot !== undefined) {
    header.parentBeaconBlockRoot = hexToBytes(env.parentBeaconBlockRoot as `0x${string}`)
  }
  return createBlock({ header }, { common, skipConsensusFormatValidation: true })
}

const BEACON_ROOTS = '0x000f3df6d732807ef1319fb7b8bb8522d0beac02'
const HISTORY_STORAGE = '0x0000f90827f1c53a10cb7a02335b175320002935'

/**
 * Applies the system writes that precede the transactions (EIP-4788 and EIP-2935), exactly as
 * ethereumjs' runBlock does: storage writes into the system contracts when they have code.
 * Returns whether anything was written.
 */
export async function applyPreBlockSystemWrites(state: StateManagerInterface, env: BlockEnv, common: Common): Promise<boolean> {
  let wrote = false
  if (common.isActivatedEIP(2935)) {
    const addr = new Address(hexToBytes(HISTORY_STORAGE))
    if ((await state.getCode(addr)).length > 0) {
      const window = common.param('historyServeWindow')
      const key = setLengthLeft(bigIntToBytes((env.number - 1n) % window), 32)
      await state.putStorage(addr, key, hexToBytes(env.parentHash as `0x${string}`))
      wrote = true
    }
  }
  if (common.isActivatedEIP(4788) && env.parentBeaconBlockRoot !== undefined) {
    const addr = new Address(hexToBytes(BEACON_ROOTS))
    if ((await state.getCode(addr)).length > 0) {
      const len = BigInt(common.param('historicalRootsLength'))
      const idx = env.timestamp % len
      await state.putStorage(addr, setLengthLeft(bigIntToBytes(idx), 32), bigIntToBytes(env.timestamp))
      await state.putStorage(addr, setLengthLeft(bigIntToBytes(idx + len), 32), hexToBytes(env.parentBeaconBlockRoot as `0x${string}`))
      wrote = true
    }
  }
  return wrote
}
