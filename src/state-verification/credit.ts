/**
 * Commutative balance credits. Fee payments (coinbase tip, OP fee vaults) go through
 * `creditBalance` so a tracing state layer can record them as credits instead of a
 * read-modify-write of the recipient's balance.
 */
import { Account, type Address } from '@ethereumjs/util'
import type { StateManagerInterface } from '@ethereumjs/common'

/** A state layer that understands commutative credits. */
export interface CreditSink {
  credit(address: Address, amount: bigint): Promise<void>
}

/** True when the state layer records credits itself. */
export function isCreditSink(x: unknown): x is CreditSink {
  return typeof (x as { credit?: unknown } | null)?.credit === 'function'
}

/** Credits `amount` wei to `address`: via the sink if the state records credits, else read-modify-write. */
export async function creditBalance(state: StateManagerInterface, address: Address, amount: bigint): Promise<void> {
  if (isCreditSink(state)) return state.credit(address, amount)
  if (amount === 0n) return
  const acc = (await state.getAccount(address)) ?? new Account()
  acc.balance += amount
  await state.putAccount(address, acc)
}
