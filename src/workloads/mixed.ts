/**
 * `mixed`: transfers, ERC-20 transfers, Uniswap V2 swaps, contract creations, reverting calls,
 * partial reverts, self-destructs (pre-existing and same-transaction), coinbase balance reads,
 * transfers to the coinbase, hot-slot increments and, optionally, invalid transactions flagged
 * with the reason and the stage at which sequential processing rejects them.
 */
import { encodeCall, encodeDeploy } from './abi.js'
import { creationCode } from './artifacts.js'
import { ETHER, GAS, POOR_BALANCE, TOKEN_BALANCE, UNISWAP_DEADLINE_SECONDS } from './constants.js'
import { WorkloadError } from './errors.js'
import { deriveAccounts } from './keys.js'
import { checkCount, finishWorkload, resolveOptions, startSetup } from './plan.js'
import { createRng } from './rng.js'
import { createPools, deployDestructibles, deployProbe, deployTokens, deployUniswap } from './setup-contracts.js'
import { erc20BalanceSlot, slotHex } from './storage-layout.js'
import type { InvalidReason, TxKind, TxMeta, Workload, WorkloadOptions } from './types.js'
import { createZipf } from './zipf.js'

const MAX_UINT = (1n << 256n) - 1n

/** Kinds of valid transactions in a mixed block. */
export type MixedKind = Exclude<TxKind, 'invalid' | 'unknown'>

/** Default weights of the valid kinds. */
export const MIXED_WEIGHTS: Readonly<Record<MixedKind, number>> = {
  transfer: 25,
  erc20: 25,
  swap: 15,
  createToken: 3,
  createEphemeral: 3,
  revert: 5,
  tryFail: 4,
  selfdestruct: 4,
  coinbaseRead: 4,
  coinbaseTransfer: 3,
  hotSlot: 9,
}

export const INVALID_REASONS: readonly InvalidReason[] = [
  'nonceTooLow',
  'nonceTooHigh',
  'insufficientFunds',
  'intrinsicGasTooLow',
  'feeCapBelowBaseFee',
  'gasLimitAboveBlock',
  'gasLimitAboveBlockLeft',
  'wrongChainId',
]

/** Where sequential processing rejects each kind of invalid transaction. */
const REJECT_STAGE = {
  nonceTooLow: 'runTx',
  nonceTooHigh: 'runTx',
  insufficientFunds: 'runTx',
  intrinsicGasTooLow: 'runTx',
  feeCapBelowBaseFee: 'runTx',
  gasLimitAboveBlock: 'block',
  gasLimitAboveBlockLeft: 'block',
  wrongChainId: 'decode',
} as const satisfies Record<InvalidReason, TxMeta['rejectedAt']>

/** Options of `generateMixed` (hotKey: every valid transaction is a hot-slot increment). */
export interface MixedOptions extends WorkloadOptions {
  /** ERC-20 tokens, every user holds all of them (default 4). */
  tokens?: number
  /** Uniswap pools over pairs of those tokens (default 3, at most tokens*(tokens-1)/2). */
  pools?: number
  /** Pre-existing self-destructible contracts (default 4). */
  destructibles?: number
  /** Zipf exponent over contracts (tokens, pools, destructibles) (default = skew). */
  contractSkew?: number
  /** Fraction of transactions that are invalid (default 0). */
  invalidRate?: number
  /** Invalid reasons to draw from (default all). */
  invalidKinds?: InvalidReason[]
  /** Weights of the valid kinds (missing kinds keep their default; 0 disables). */
  weights?: Partial<Record<MixedKind, number>>
}

/** Generates a mixed block. */
export async function generateMixed(options: MixedOptions = {}): Promise<Workload> {
  const opts = resolveOptions(options, { txType: 'mixed' })
  const tokenCount = options.tokens ?? 4
  const poolCount = options.pools ?? 3
  const destructibleCount = options.destructibles ?? 4
  const contractSkew = options.contractSkew ?? opts.skew
  const invalidRate = options.invalidRate ?? 0
  const invalidKinds = options.invalidKinds ?? [...INVALID_REASONS]
  checkCount('tokens', tokenCount, 2)
  checkCount('pools', poolCount, 0)
  checkCount('destructibles', destructibleCount, 1)
  if (poolCount > (tokenCount * (tokenCount - 1)) / 2) {
    throw new WorkloadError('WORKLOAD_BAD_OPTIONS', 'pools must be at most tokens*(tokens-1)/2', { details: { tokens: tokenCount, pools: poolCount } })
  }
  if (!(invalidRate >= 0 && invalidRate <= 1)) throw new WorkloadError('WORKLOAD_BAD_OPTIONS', 'invalidRate must be in [0, 1]', { details: { invalidRate } })
  if (invalidRate > 0 && invalidKinds.length === 0) throw new WorkloadError('WORKLOAD_BAD_OPTIONS', 'invalidKinds is empty')
  const weights = { ...MIXED_WEIGHTS, ...(options.weights ?? {}) }
  if (poolCount === 0) weights.swap = 0
  const kinds = Object.keys(weights) as MixedKind[]
  const kindWeights = kinds.map((k) => weights[k])
  if (!kindWeights.some((w) => w > 0)) throw new WorkloadError('WORKLOAD_BAD_OPTIONS', 'every kind weight is 0')

  const s = await startSetup(opts, options.env)
  const { plan, users, builder, env, factory } = s
  const uni = await deployUniswap(builder)
  const tokens = await deployTokens(builder, tokenCount)
  const pairs: Array<[string, string]> = []
  for (let a = 0; a < tokenCount && pairs.length < poolCount; a++) {
    for (let b = a + 1; b < tokenCount && pairs.length < poolCount; b++) pairs.push([tokens[a]!, tokens[b]!])
  }
  const pools = await createPools(builder, uni.factory, pairs, createRng(opts.seed, 'reserves'))
  const probe = await deployProbe(builder)
  const destructibles = await deployDestructibles(builder, destructibleCount, ETHER)
  for (const t of tokens) {
    for (const u of users) {
      builder.stageErc20Balance(t, u.address, TOKEN_BALANCE)
      builder.stageErc20Allowance(t, u.address, uni.router, MAX_UINT)
    }
  }
  const poor = deriveAccounts(opts.seed, 'poor', 4)
  for (const p of poor) await builder.fund(p.address, POOR_BALANCE)

  const tokenZipf = createZipf(tokenCount, contractSkew)
  const poolZipf = createZipf(Math.max(poolCount, 1), contractSkew)
  const destructibleZipf = createZipf(destructibleCount, contractSkew)
  const rng = plan.rng
  const invalidRng = createRng(opts.seed, 'invalid')
  const deadline = env.timestamp + UNISWAP_DEADLINE_SECONDS
  let includedBefore = 0

  const addKind = (kind: MixedKind, from: number): void => {
    const user = users[from]!.address
    const other = users[plan.receiver(from)]!.address
    const ok = { kind, expect: 'success' } as const
    switch (kind) {
      case 'transfer':
        return plan.addValid(from, { to: other, value: rng.bigint(1n, 10n ** 16n), gasLimit: GAS.transfer, accessList: [] }, ok)
      case 'coinbaseTransfer':
        return plan.addValid(from, { to: env.coinbase, value: rng.bigint(1n, 10n ** 15n), gasLimit: GAS.transfer, accessList: [] }, ok)
      case 'erc20': {
        const t = tokens[tokenZipf.sample(rng)]!
        const data = encodeCall('transfer(address,uint256)', [other, rng.bigint(1n, 10n ** 18n)])
        return plan.addValid(from, { to: t, data, gasLimit: GAS.erc20, accessList: [{ address: t, storageKeys: [erc20BalanceSlot(user), erc20BalanceSlot(other)] }] }, ok)
      }
      case 'swap': {
        const p = pools[poolZipf.sample(rng)]!
        const [tin, tout] = rng.chance(0.5) ? [p.token0, p.token1] : [p.token1, p.token0]
        const data = encodeCall('swapExactTokensForTokens(uint256,uint256,address[],address,uint256)', [rng.bigint(10n ** 15n, 10n ** 18n), 0n, [tin, tout], user, deadline])
        return plan.addValid(from, { to: uni.router, data, gasLimit: GAS.swap, accessList: [{ address: p.pair, storageKeys: [] }] }, ok)
      }
      case 'createToken':
        return plan.addValid(from, { data: encodeDeploy(creationCode().token, [rng.bigint(1n, 10n ** 24n)]), gasLimit: GAS.createToken }, ok)
      case 'createEphemeral':
        return plan.addValid(from, { data: encodeDeploy(creationCode().ephemeral, [other]), value: rng.bigint(1n, 10n ** 12n), gasLimit: GAS.createEphemeral }, ok)
      case 'revert':
        return plan.addValid(from, { to: probe, data: encodeCall('fail(uint256)', [BigInt(rng.int(1000))]), gasLimit: GAS.probe, accessList: [{ address: probe, storageKeys: [] }] }, { kind, expect: 'revert' })
      case 'tryFail':
        return plan.addValid(from, { to: probe, data: encodeCall('tryFail()'), gasLimit: GAS.probe, accessList: [{ address: probe, storageKeys: [slotHex(3n)] }] }, ok)
      case 'selfdestruct': {
        const d = destructibles[destructibleZipf.sample(rng)]!
        return plan.addValid(from, { to: d, data: encodeCall('destroy(address)', [other]), gasLimit: GAS.selfdestruct, accessList: [{ address: d, storageKeys: [] }] }, ok)
      }
      case 'coinbaseRead':
        return plan.addValid(from, { to: probe, data: encodeCall('readCoinbase()'), gasLimit: GAS.probe, accessList: [{ address: env.coinbase, storageKeys: [] }] }, ok)
      case 'hotSlot':
        return plan.addValid(from, { to: probe, data: encodeCall('bump()'), gasLimit: GAS.probe, accessList: [{ address: probe, storageKeys: [slotHex(0n)] }] }, ok)
    }
  }

  const addInvalid = (wanted: InvalidReason): void => {
    let reason = wanted
    let from = plan.sender()
    if (reason === 'nonceTooLow') {
      for (let i = 0; i < 16 && (plan.nonces[from] ?? 0n) === 0n; i++) from = plan.sender()
      if ((plan.nonces[from] ?? 0n) === 0n) reason = 'nonceTooHigh'
    }
    if (reason === 'gasLimitAboveBlockLeft' && includedBefore === 0) reason = 'nonceTooHigh'
    const user = users[from]!
    const nonce = plan.nonces[from] ?? 0n
    const to = users[plan.receiver(from)]!.address
    const meta: TxMeta = { kind: 'invalid', sender: user.address, expect: 'invalid', invalid: reason, rejectedAt: REJECT_STAGE[reason] }
    const base = { type: 'eip1559' as const, privateKey: user.privateKey, nonce, to, value: 1n, gasLimit: GAS.transfer }
    switch (reason) {
      case 'nonceTooLow':
        return plan.push(factory.build({ ...base, nonce: nonce - 1n }), meta)
      case 'nonceTooHigh':
        return plan.push(factory.build({ ...base, nonce: nonce + 1n + BigInt(invalidRng.int(3)) }), meta)
      case 'insufficientFunds': {
        const p = poor[invalidRng.int(poor.length)]!
        return plan.push(factory.build({ ...base, privateKey: p.privateKey, nonce: 0n }), { ...meta, sender: p.address })
      }
      case 'intrinsicGasTooLow':
        return plan.push(factory.build({ ...base, gasLimit: GAS.transfer - 1n - BigInt(invalidRng.int(1000)) }), meta)
      case 'feeCapBelowBaseFee':
        return plan.push(factory.build({ ...base, maxFeePerGas: env.baseFee - 1n, maxPriorityFeePerGas: 0n }), meta)
      case 'wrongChainId': {
        const chainId = env.chainId + 1n
        return plan.push(factory.build({ ...base, chainId }), { ...meta, chainId })
      }
      case 'gasLimitAboveBlock':
        // Signed once the block gas limit is known.
        return plan.reserve((limit) => ({ signed: factory.build({ ...base, gasLimit: limit + 1n }), meta }))
      case 'gasLimitAboveBlockLeft': {
        // Every included transaction before it uses at least 21,000 gas, so the gas left is at
        // most limit - 21,000 * includedBefore: one more than that cannot fit, yet it is within
        // the block gas limit and otherwise valid (right nonce, enough funds).
        const minUsed = 21_000n * BigInt(includedBefore)
        return plan.reserve((limit) => ({ signed: factory.build({ ...base, gasLimit: limit - minUsed + 1n }), meta }))
      }
    }
  }

  for (let i = 0; i < opts.txs; i++) {
    if (invalidRate > 0 && invalidRng.chance(invalidRate)) {
      addInvalid(invalidKinds[invalidRng.int(invalidKinds.length)]!)
      continue
    }
    const kind: MixedKind = opts.hotKey ? 'hotSlot' : kinds[rng.weighted(kindWeights)]!
    addKind(kind, plan.sender())
    includedBefore++
  }
  return finishWorkload(
    'mixed',
    s,
    options.env,
    { tokens: tokenCount, pools: poolCount, destructibles: destructibleCount, contractSkew, invalidRate, invalidKinds: invalidKinds.join(',') },
    { tokens, pools, factory: uni.factory, router: uni.router, weth: uni.weth, probe, destructibles },
    poor,
  )
}
