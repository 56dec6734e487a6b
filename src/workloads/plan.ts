/** Shared machinery of the generators: resolved options, users, nonce tracking, tx assembly. */
import type { TypedTransaction } from '@ethereumjs/tx'
import { DEFAULT_ACCOUNTS, DEFAULT_SEED, DEFAULT_TXS, MIN_BLOCK_GAS_LIMIT, USER_BALANCE } from './constants.js'
import { commonForEnv, createBlockEnv } from './env.js'
import { WorkloadError } from './errors.js'
import { GenesisBuilder } from './genesis.js'
import { deriveAccounts, type WorkloadAccount } from './keys.js'
import { createRng, type Rng } from './rng.js'
import { TxFactory, pickEnvelope, type AccessListEntry, type SignedTx, type TxEnvelope } from './tx-factory.js'
import type { BlockEnv, TxMeta, TxTypeChoice, Workload, WorkloadContracts, WorkloadName, WorkloadOptions } from './types.js'
import { createZipf, type Zipf } from './zipf.js'

/** Options shared by every generator, with defaults applied. */
export interface ResolvedOptions {
  txs: number
  accounts: number
  skew: number
  seed: number
  oneSender: boolean
  hotKey: boolean
  txType: TxTypeChoice
}

function check(cond: boolean, message: string, details: Record<string, unknown>): void {
  if (!cond) throw new WorkloadError('WORKLOAD_BAD_OPTIONS', message, { details })
}

/** Applies defaults and validates the shared options. */
export function resolveOptions(o: WorkloadOptions, defaults: Partial<ResolvedOptions> = {}): ResolvedOptions {
  const r: ResolvedOptions = {
    txs: o.txs ?? defaults.txs ?? DEFAULT_TXS,
    accounts: o.accounts ?? defaults.accounts ?? DEFAULT_ACCOUNTS,
    skew: o.skew ?? defaults.skew ?? 0,
    seed: o.seed ?? defaults.seed ?? DEFAULT_SEED,
    oneSender: o.oneSender ?? false,
    hotKey: o.hotKey ?? false,
    txType: o.txType ?? defaults.txType ?? 'eip1559',
  }
  check(Number.isInteger(r.txs) && r.txs >= 0, 'txs must be a non-negative integer', { txs: r.txs })
  check(Number.isInteger(r.accounts) && r.accounts >= 2, 'accounts must be an integer >= 2', { accounts: r.accounts })
  check(Number.isFinite(r.skew) && r.skew >= 0, 'skew must be >= 0', { skew: r.skew })
  check(Number.isSafeInteger(r.seed), 'seed must be an integer', { seed: r.seed })
  check(['eip1559', 'legacy', 'eip2930', 'mixed'].includes(r.txType), 'unknown txType', { txType: r.txType })
  return r
}

/** Checks a positive-integer option. */
export function checkCount(name: string, v: number, min = 1): void {
  check(Number.isInteger(v) && v >= min, `${name} must be an integer >= ${min}`, { [name]: v })
}

/** What a generator adds to a valid transaction. */
export interface TxCall {
  to?: string
  value?: bigint
  data?: Uint8Array
  gasLimit: bigint
  accessList?: AccessListEntry[]
}

/** One block being generated: users, their nonces, the transactions so far. */
export class BlockPlan {
  readonly txs: TypedTransaction[] = []
  readonly raw: Uint8Array[] = []
  readonly meta: TxMeta[] = []
  /** Next nonce of each user. */
  readonly nonces: bigint[]
  /** Sum of the gas limits of the transactions expected to be included. */
  includedGas = 0n
  readonly senderZipf: Zipf
  readonly rng: Rng
  private readonly typeRng: Rng

  constructor(
    readonly opts: ResolvedOptions,
    readonly factory: TxFactory,
    readonly users: WorkloadAccount[],
    initialNonces: bigint[],
  ) {
    this.nonces = [...initialNonces]
    this.senderZipf = createZipf(users.length, opts.skew)
    this.rng = createRng(opts.seed, 'txs')
    this.typeRng = createRng(opts.seed, 'tx-types')
  }

  /** Next envelope type per the `txType` option. */
  envelope(): TxEnvelope {
    return pickEnvelope(this.opts.txType, this.typeRng)
  }

  /** A sender index (user 0 with `oneSender`). */
  sender(): number {
    return this.opts.oneSender ? 0 : this.senderZipf.sample(this.rng)
  }

  /** A receiver index different from `sender` (Zipf-drawn). */
  receiver(sender: number): number {
    for (let i = 0; i < 8; i++) {
      const r = this.senderZipf.sample(this.rng)
      if (r !== sender) return r
    }
    return (sender + 1) % this.users.length
  }

  /** Signs a valid transaction from user `u` with its next nonce and records it. */
  addValid(u: number, call: TxCall, meta: Omit<TxMeta, 'sender'>, envelope: TxEnvelope = this.envelope()): void {
    const user = this.users[u]
    if (user === undefined) throw new WorkloadError('WORKLOAD_BAD_OPTIONS', `no user ${u}`)
    const nonce = this.nonces[u] ?? 0n
    const signed = this.factory.build({
      type: envelope,
      privateKey: user.privateKey,
      nonce,
      gasLimit: call.gasLimit,
      ...(call.to !== undefined ? { to: call.to } : {}),
      ...(call.value !== undefined ? { value: call.value } : {}),
      ...(call.data !== undefined ? { data: call.data } : {}),
      ...(envelope === 'eip2930' && call.accessList !== undefined ? { accessList: call.accessList } : {}),
    })
    this.nonces[u] = nonce + 1n
    this.includedGas += call.gasLimit
    this.push(signed, { ...meta, sender: user.address })
  }

  private readonly deferred: Array<{ index: number; build: (blockGasLimit: bigint) => { signed: SignedTx; meta: TxMeta } }> = []

  /**
   * Reserves the next position for a transaction that can only be signed once the block gas
   * limit is known (`gasLimitAboveBlock*`); `resolveDeferred` signs it.
   */
  reserve(build: (blockGasLimit: bigint) => { signed: SignedTx; meta: TxMeta }): void {
    this.deferred.push({ index: this.txs.length, build })
    this.txs.push(undefined as unknown as TypedTransaction)
    this.raw.push(new Uint8Array(0))
    this.meta.push({ kind: 'invalid', sender: '', expect: 'invalid' })
  }

  /** Signs the reserved transactions for the final block gas limit. */
  resolveDeferred(blockGasLimit: bigint): void {
    for (const d of this.deferred) {
      const { signed, meta } = d.build(blockGasLimit)
      this.txs[d.index] = signed.tx
      this.raw[d.index] = signed.raw
      this.meta[d.index] = meta
    }
    this.deferred.length = 0
  }

  /** Records an already signed transaction. */
  push(signed: SignedTx, meta: TxMeta): void {
    this.txs.push(signed.tx)
    this.raw.push(signed.raw)
    this.meta.push(meta)
  }
}

/** Everything a generator starts from: env, Common, users, genesis builder with funded users. */
export interface Setup {
  opts: ResolvedOptions
  env: BlockEnv
  builder: GenesisBuilder
  factory: TxFactory
  users: WorkloadAccount[]
  plan: BlockPlan
}

/** Derives users, funds them (random small genesis nonces) and opens the genesis builder. */
export async function startSetup(opts: ResolvedOptions, envOver: Partial<BlockEnv> | undefined): Promise<Setup> {
  const env = createBlockEnv(opts.seed, envOver ?? {})
  const common = commonForEnv(env)
  const builder = await GenesisBuilder.create({ env, common, seed: opts.seed })
  const users = deriveAccounts(opts.seed, 'user', opts.accounts)
  const nonceRng = createRng(opts.seed, 'genesis-nonces')
  const nonces: bigint[] = []
  for (const u of users) {
    const n = BigInt(nonceRng.int(3))
    nonces.push(n)
    await builder.fund(u.address, USER_BALANCE, n)
  }
  const factory = new TxFactory(common)
  return { opts, env, builder, factory, users, plan: new BlockPlan(opts, factory, users, nonces) }
}

/** The block gas limit: the override, or the included transactions' gas limits (at least the minimum). */
export function blockGasLimit(s: Setup, envOver: Partial<BlockEnv> | undefined): bigint {
  return envOver?.gasLimit ?? (s.plan.includedGas > MIN_BLOCK_GAS_LIMIT ? s.plan.includedGas : MIN_BLOCK_GAS_LIMIT)
}

/** Finishes the genesis and assembles the Workload (block gas limit: given, or the included gas). */
export async function finishWorkload(
  name: WorkloadName,
  s: Setup,
  envOver: Partial<BlockEnv> | undefined,
  options: Record<string, string | number | boolean>,
  contracts: WorkloadContracts,
  extraAccounts: WorkloadAccount[] = [],
): Promise<Workload> {
  const genesis = await s.builder.finish()
  const blockEnv: BlockEnv = { ...s.env, gasLimit: blockGasLimit(s, envOver) }
  s.plan.resolveDeferred(blockEnv.gasLimit)
  return {
    name,
    seed: s.opts.seed,
    options: { ...options, txs: s.opts.txs, accounts: s.opts.accounts, skew: s.opts.skew, seed: s.opts.seed, oneSender: s.opts.oneSender, hotKey: s.opts.hotKey, txType: s.opts.txType },
    genesis,
    blockEnv,
    common: s.factory.common,
    txs: s.plan.txs,
    raw: s.plan.raw,
    meta: s.plan.meta,
    accounts: [...s.users, s.builder.deployer, ...extraAccounts],
    contracts,
  }
}
