/** The shapes every workload generator returns. */
import type { Common } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { StateSnapshot } from '../state/index.js'
import type { WorkloadAccount } from './keys.js'

/** The environment of the workload block (what the header fixes for execution). */
export interface BlockEnv {
  number: bigint
  timestamp: bigint
  /** Fee recipient, lowercase 0x address. */
  coinbase: string
  gasLimit: bigint
  baseFee: bigint
  /** 32 bytes (the header's mixHash after the merge). */
  prevRandao: Uint8Array
  chainId: bigint
  /** ethereumjs hardfork name, e.g. 'prague'. */
  hardfork: string
}

export type WorkloadName = 'transfers' | 'erc20' | 'uniswap' | 'mixed'

/** What a transaction does. */
export type TxKind =
  | 'transfer'
  | 'erc20'
  | 'swap'
  | 'createToken'
  | 'createEphemeral'
  | 'revert'
  | 'tryFail'
  | 'selfdestruct'
  | 'coinbaseRead'
  | 'coinbaseTransfer'
  | 'hotSlot'
  | 'invalid'
  /** A transaction read from a block JSON file without metadata. */
  | 'unknown'

/** Why an invalid transaction must be excluded. */
export type InvalidReason =
  | 'nonceTooLow'
  | 'nonceTooHigh'
  | 'insufficientFunds'
  | 'intrinsicGasTooLow'
  | 'feeCapBelowBaseFee'
  | 'gasLimitAboveBlock'
  | 'gasLimitAboveBlockLeft'
  | 'wrongChainId'

/**
 * Where sequential processing rejects an invalid transaction: `decode` (decoding the raw
 * bytes with the block's Common fails), `block` (block-level check before runTx: its gas
 * limit exceeds the block gas limit minus the gas used so far), `runTx` (runTx throws).
 */
export type RejectStage = 'decode' | 'block' | 'runTx'

/** Per-transaction metadata: what the generator built and what sequential execution must do. */
export interface TxMeta {
  kind: TxKind
  /** Lowercase 0x address of the signer. */
  sender: string
  /** success: receipt status 1; revert: status 0 (still included); invalid: excluded; unknown: not generated here. */
  expect: 'success' | 'revert' | 'invalid' | 'unknown'
  invalid?: InvalidReason
  rejectedAt?: RejectStage
  /** Chain id the transaction was signed for (only set when it differs from the block's). */
  chainId?: bigint
}

/** Addresses of the contracts in the genesis. */
export interface WorkloadContracts {
  tokens: string[]
  pools: Array<{ pair: string; token0: string; token1: string }>
  factory?: string
  router?: string
  weth?: string
  probe?: string
  destructibles: string[]
}

/** A generated block: genesis state, block environment and signed transactions. */
export interface Workload {
  /** The generator (a WorkloadName) or, for a block read from JSON, the name it carries. */
  name: string
  seed: number
  /** The effective options (defaults filled in), JSON-safe. */
  options: Record<string, string | number | boolean>
  genesis: StateSnapshot
  blockEnv: BlockEnv
  /** The fast Common for `blockEnv` (chain id, hardfork, native crypto). */
  common: Common
  /** Signed transactions in block order (a wrong-chain-id tx carries its own chain's Common). */
  txs: TypedTransaction[]
  /** The canonical encoding of each transaction (what a block carries). */
  raw: Uint8Array[]
  meta: TxMeta[]
  /** Keyed accounts: users first (index = user number), then the deployer and poor accounts. */
  accounts: WorkloadAccount[]
  contracts: WorkloadContracts
}

/** Transaction envelope to generate. */
export type TxTypeChoice = 'eip1559' | 'legacy' | 'eip2930' | 'mixed'

/** Options shared by every generator. */
export interface WorkloadOptions {
  /** Number of transactions (default 1000). */
  txs?: number
  /** Number of user accounts (holders / traders) (default 1000). */
  accounts?: number
  /** Zipf exponent over accounts for senders and receivers (default 0 = uniform). */
  skew?: number
  /** Seed of everything random, keys included (default 1). */
  seed?: number
  /** Every transaction from user 0 (a fully dependent block by nonce). */
  oneSender?: boolean
  /** Every transaction writes one hot key (see each generator). */
  hotKey?: boolean
  /** Transaction envelopes (default 'eip1559'; 'mixed' = 70% 1559, 15% legacy, 15% 2930). */
  txType?: TxTypeChoice
  /** Block environment overrides. */
  env?: Partial<BlockEnv>
}
