/** `uniswap`: swaps through the real UniswapV2Router02 over P pools of the real UniswapV2Factory. */
import { encodeCall } from './abi.js'
import { GAS, TOKEN_BALANCE, UNISWAP_DEADLINE_SECONDS } from './constants.js'
import { checkCount, finishWorkload, resolveOptions, startSetup } from './plan.js'
import { createRng } from './rng.js'
import { createPools, deployTokens, deployUniswap } from './setup-contracts.js'
import type { Workload, WorkloadOptions } from './types.js'
import { createZipf } from './zipf.js'

const MAX_UINT = (1n << 256n) - 1n

/** Options of `generateUniswap` (`accounts` = traders; hotKey: every swap in pool 0). */
export interface UniswapOptions extends WorkloadOptions {
  /** Number of pools (default 8); each pool has its own two tokens. */
  pools?: number
  /** Zipf exponent over pools (default 0 = uniform). */
  poolSkew?: number
}

/**
 * Generates a block of `swapExactTokensForTokens` calls (amountOutMin 0, so a swap never
 * reverts on price). Each trader holds, and has approved the router for, exactly the tokens
 * it sells in the block.
 */
export async function generateUniswap(options: UniswapOptions = {}): Promise<Workload> {
  const opts = resolveOptions(options)
  const poolCount = options.pools ?? 8
  const poolSkew = options.poolSkew ?? 0
  checkCount('pools', poolCount)
  const s = await startSetup(opts, options.env)
  const { plan, users, builder, env } = s
  const uni = await deployUniswap(builder)
  const tokens = await deployTokens(builder, 2 * poolCount)
  const pairs: Array<[string, string]> = []
  for (let i = 0; i < poolCount; i++) pairs.push([tokens[2 * i]!, tokens[2 * i + 1]!])
  const pools = await createPools(builder, uni.factory, pairs, createRng(opts.seed, 'reserves'))
  const poolZipf = createZipf(poolCount, poolSkew)
  const deadline = env.timestamp + UNISWAP_DEADLINE_SECONDS
  const funded = new Set<string>()
  for (let i = 0; i < opts.txs; i++) {
    const p = pools[opts.hotKey ? 0 : poolZipf.sample(plan.rng)]!
    const from = plan.sender()
    const zeroForOne = plan.rng.chance(0.5)
    const [tin, tout] = zeroForOne ? [p.token0, p.token1] : [p.token1, p.token0]
    const amountIn = plan.rng.bigint(10n ** 15n, 10n ** 18n)
    const trader = users[from]!.address
    const key = `${trader}:${tin}`
    if (!funded.has(key)) {
      funded.add(key)
      builder.stageErc20Balance(tin, trader, TOKEN_BALANCE)
      builder.stageErc20Allowance(tin, trader, uni.router, MAX_UINT)
    }
    plan.addValid(
      from,
      {
        to: uni.router,
        data: encodeCall('swapExactTokensForTokens(uint256,uint256,address[],address,uint256)', [amountIn, 0n, [tin, tout], trader, deadline]),
        gasLimit: GAS.swap,
        accessList: [{ address: uni.router, storageKeys: [] }, { address: p.pair, storageKeys: [] }],
      },
      { kind: 'swap', expect: 'success' },
    )
  }
  return finishWorkload('uniswap', s, options.env, { pools: poolCount, poolSkew }, {
    tokens,
    pools,
    factory: uni.factory,
    router: uni.router,
    weth: uni.weth,
    destructibles: [],
  })
}
