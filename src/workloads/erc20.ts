/** `erc20`: ERC-20 transfers over T ParadagTokens among holders (every user holds every token). */
import { encodeCall } from './abi.js'
import { GAS, TOKEN_BALANCE } from './constants.js'
import { checkCount, finishWorkload, resolveOptions, startSetup } from './plan.js'
import { deployTokens } from './setup-contracts.js'
import { erc20BalanceSlot } from './storage-layout.js'
import type { Workload, WorkloadOptions } from './types.js'
import { createZipf } from './zipf.js'

/** Options of `generateErc20` (`accounts` = holders; hotKey: every transfer credits the last holder in token 0). */
export interface Erc20Options extends WorkloadOptions {
  /** Number of tokens (default 4). */
  tokens?: number
  /** Zipf exponent over tokens (default 0 = uniform). */
  tokenSkew?: number
}

/** Generates a block of ERC-20 `transfer` calls; holder balances are written directly into storage. */
export async function generateErc20(options: Erc20Options = {}): Promise<Workload> {
  const opts = resolveOptions(options)
  const tokens = options.tokens ?? 4
  const tokenSkew = options.tokenSkew ?? 0
  checkCount('tokens', tokens)
  const s = await startSetup(opts, options.env)
  const { plan, users, builder } = s
  const tokenAddrs = await deployTokens(builder, tokens)
  for (const t of tokenAddrs) for (const u of users) builder.stageErc20Balance(t, u.address, TOKEN_BALANCE)
  const tokenZipf = createZipf(tokens, tokenSkew)
  const hot = users.length - 1
  for (let i = 0; i < opts.txs; i++) {
    const token = opts.hotKey ? 0 : tokenZipf.sample(plan.rng)
    let from = plan.sender()
    if (opts.hotKey && from === hot) from = hot - 1
    const to = opts.hotKey ? hot : plan.receiver(from)
    const amount = plan.rng.bigint(1n, 10n ** 18n)
    const tokenAddr = tokenAddrs[token]!
    const fromAddr = users[from]!.address
    const toAddr = users[to]!.address
    plan.addValid(
      from,
      {
        to: tokenAddr,
        data: encodeCall('transfer(address,uint256)', [toAddr, amount]),
        gasLimit: GAS.erc20,
        accessList: [{ address: tokenAddr, storageKeys: [erc20BalanceSlot(fromAddr), erc20BalanceSlot(toAddr)] }],
      },
      { kind: 'erc20', expect: 'success' },
    )
  }
  return finishWorkload('erc20', s, options.env, { tokens, tokenSkew }, { tokens: tokenAddrs, pools: [], destructibles: [] })
}
