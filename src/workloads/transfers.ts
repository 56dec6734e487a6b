/** `transfers`: plain ETH transfers among N accounts, Zipf-skewed senders and receivers. */
import { GAS } from './constants.js'
import { finishWorkload, resolveOptions, startSetup } from './plan.js'
import type { Workload, WorkloadOptions } from './types.js'

/** Options of `generateTransfers` (hotKey: every transfer goes to the last user). */
export type TransfersOptions = WorkloadOptions

/** Generates a block of plain value transfers. */
export async function generateTransfers(options: TransfersOptions = {}): Promise<Workload> {
  const opts = resolveOptions(options)
  const s = await startSetup(opts, options.env)
  const { plan, users } = s
  const hot = users.length - 1
  for (let i = 0; i < opts.txs; i++) {
    let from = plan.sender()
    if (opts.hotKey && from === hot) from = hot - 1
    const to = opts.hotKey ? hot : plan.receiver(from)
    const value = plan.rng.bigint(1n, 10n ** 16n)
    plan.addValid(from, { to: users[to]!.address, value, gasLimit: GAS.transfer, accessList: [] }, { kind: 'transfer', expect: 'success' })
  }
  return finishWorkload('transfers', s, options.env, {}, { tokens: [], pools: [], destructibles: [] })
}
