/**
 * Pre-transaction system calls of an OP block: the EIP-4788 beacon root (Ecotone+) and the
 * EIP-2935 parent block hash (Isthmus+). Both contracts only store two words / one word when
 * called by the system address, so the effect is written directly; when the contract has no
 * code yet (before its upgrade deposit ran) the call is a no-op, as in op-geth.
 */
import type { StateManagerInterface } from '@ethereumjs/common'
import { Address, bigIntToBytes, hexToBytes, setLengthLeft } from '@ethereumjs/util'
import type { OpBlockContext } from './block-context.js'
import { BEACON_ROOTS_ADDRESS, BEACON_ROOTS_HISTORY_LENGTH, HISTORY_SERVE_WINDOW, HISTORY_STORAGE_ADDRESS } from './constants.js'

function word(v: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(v), 32)
}

/** Applies the block's system calls to `state` (before the first transaction). */
export async function applyOpSystemCalls(ctx: OpBlockContext, state: StateManagerInterface): Promise<void> {
  if (ctx.forks.ecotone && ctx.parentBeaconBlockRoot !== undefined) {
    const addr = new Address(hexToBytes(BEACON_ROOTS_ADDRESS))
    if ((await state.getCode(addr)).length > 0) {
      const idx = ctx.timestamp % BEACON_ROOTS_HISTORY_LENGTH
      await state.putStorage(addr, word(idx), bigIntToBytes(ctx.timestamp))
      await state.putStorage(addr, word(idx + BEACON_ROOTS_HISTORY_LENGTH), ctx.parentBeaconBlockRoot)
    }
  }
  if (ctx.forks.isthmus && ctx.number > 0n) {
    const addr = new Address(hexToBytes(HISTORY_STORAGE_ADDRESS))
    if ((await state.getCode(addr)).length > 0) {
      await state.putStorage(addr, word((ctx.number - 1n) % HISTORY_SERVE_WINDOW), ctx.parentHash)
    }
  }
}
