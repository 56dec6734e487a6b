/** Storage slots of Solidity mappings (used to write genesis balances without executing mints). */
import { keccak256 } from '../crypto/index.js'
import { fromHex, toHex } from '../common/index.js'
import { u256Bytes } from '../common/index.js'

/** ParadagToken's layout (see contracts/ParadagToken.sol). */
export const ERC20_SLOTS = { balanceOf: 0n, allowance: 1n, totalSupply: 2n } as const

function pad32(b: Uint8Array): Uint8Array {
  const out = new Uint8Array(32)
  out.set(b, 32 - b.length)
  return out
}

/** `keccak256(pad32(key) . pad32(slot))` as 32 bytes: the slot of `mapping[key]` at `slot`. */
export function mappingSlot(key: Uint8Array, slot: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64)
  buf.set(pad32(key), 0)
  buf.set(pad32(slot), 32)
  return keccak256(buf)
}

/** The slot (0x + 64 hex) of an integer slot number. */
export function slotHex(slot: bigint): string {
  return toHex(u256Bytes(slot))
}

/** Slot of `balanceOf[holder]` in a ParadagToken. */
export function erc20BalanceSlot(holder: string): string {
  return toHex(mappingSlot(fromHex(holder), u256Bytes(ERC20_SLOTS.balanceOf)))
}

/** Slot of `allowance[owner][spender]` in a ParadagToken. */
export function erc20AllowanceSlot(owner: string, spender: string): string {
  const inner = mappingSlot(fromHex(owner), u256Bytes(ERC20_SLOTS.allowance))
  return toHex(mappingSlot(fromHex(spender), inner))
}
