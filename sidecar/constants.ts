/** Defaults of the sidecar. */

/** Per-request timeout (debug_executionWitness on a busy node can be slow). */
export const RPC_TIMEOUT_MS = 30_000
/** Retries of a transient failure (timeout, unreachable, 5xx/429) per request. */
export const RPC_RETRIES = 3
/** First retry delay; doubles each attempt up to RPC_MAX_BACKOFF_MS (with jitter). */
export const RPC_BACKOFF_MS = 200
export const RPC_MAX_BACKOFF_MS = 5_000
/** Largest response body accepted (a witness of a big block is tens of MB). */
export const RPC_MAX_RESPONSE_BYTES = 256 * 1024 * 1024

/** Head polling interval when no WebSocket subscription is available. */
export const POLL_INTERVAL_MS = 1_000
/** Reconnect backoff when the node goes away. */
export const RECONNECT_BACKOFF_MS = 500
export const RECONNECT_MAX_BACKOFF_MS = 30_000

/** Recent canonical hashes kept for reorg detection (bounded memory). */
export const HASH_WINDOW = 256
/** Recent RLP headers kept to serve BLOCKHASH in proof-built witnesses. */
export const HEADER_WINDOW = 256
/** Deepest reorg handled by walking back; deeper ones restart from the new head's parent. */
export const MAX_REORG_DEPTH = 64
/** Recent verification reports kept for paradag_status. */
export const REPORT_WINDOW = 32

/** Planning/metrics server. */
export const DEFAULT_API_HOST = '127.0.0.1'
export const DEFAULT_API_PORT = 9548
/** Largest JSON-RPC request body the planning server accepts. */
export const API_MAX_BODY_BYTES = 8 * 1024 * 1024
/** Most transactions accepted by paradag_planBatch. */
export const PLAN_MAX_TXS = 2_000

/** L1Block predeploy and the slots an OP transaction's fee depends on (read after deposits). */
export const L1_BLOCK_ADDRESS = '0x4200000000000000000000000000000000000015'
export const L1_BLOCK_FEE_SLOTS = [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n] as const
/** Accounts every OP block may touch outside what a tracer reports. */
export const OP_SYSTEM_ACCOUNTS = [
  '0x4200000000000000000000000000000000000011', // SequencerFeeVault
  '0x4200000000000000000000000000000000000019', // BaseFeeVault
  '0x420000000000000000000000000000000000001a', // L1FeeVault
  '0x420000000000000000000000000000000000001b', // OperatorFeeVault
  '0x4200000000000000000000000000000000000016', // L2ToL1MessagePasser (Isthmus withdrawalsRoot)
  '0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02', // EIP-4788 beacon roots
  '0x0000F90827F1C53a10cb7A02335B175320002935', // EIP-2935 history storage
  '0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001', // L1 attributes depositor
] as const
