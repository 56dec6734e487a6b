/** Defaults of the workload generators. */

export const DEFAULT_TXS = 1000
export const DEFAULT_ACCOUNTS = 1000
export const DEFAULT_SEED = 1
export const DEFAULT_CHAIN_ID = 901n
export const DEFAULT_HARDFORK = 'prague'
export const DEFAULT_BLOCK_NUMBER = 1n
export const DEFAULT_TIMESTAMP = 1_700_000_000n
export const DEFAULT_COINBASE = '0xc0ffee0000000000000000000000000000c0ffee'
export const DEFAULT_BASE_FEE = 1_000_000_000n
/** Minimum block gas limit; the default is the sum of the valid transactions' limits, at least this. */
export const MIN_BLOCK_GAS_LIMIT = 30_000_000n

export const GWEI = 1_000_000_000n
export const ETHER = 10n ** 18n
/** EIP-1559 fee cap and tip of generated transactions; legacy/2930 gas price. */
export const MAX_FEE_PER_GAS = 3n * GWEI
export const MAX_PRIORITY_FEE = GWEI / 10n
export const LEGACY_GAS_PRICE = 2n * GWEI
/** ETH balance of each user account in the genesis. */
export const USER_BALANCE = 1000n * ETHER
/** ETH balance of the accounts used for `insufficientFunds`. */
export const POOR_BALANCE = 1_000_000n
/** Token balance of each holder (per token) and trader (per used token). */
export const TOKEN_BALANCE = 10n ** 24n

export const GAS = {
  transfer: 21_000n,
  erc20: 100_000n,
  swap: 300_000n,
  createToken: 1_500_000n,
  createEphemeral: 200_000n,
  probe: 150_000n,
  selfdestruct: 100_000n,
} as const

export const UNISWAP_DEADLINE_SECONDS = 3600n
