export { createSidecar, Sidecar } from './sidecar.js'
export type { SidecarOptions, SidecarStatus } from './sidecar.js'
export { SidecarError, isTransient } from './errors.js'
export type { SidecarErrorCode } from './errors.js'
export { createRpcClient, backoffDelay, sleep } from './rpc-client.js'
export type { RpcClient, RpcClientOptions, CallOptions } from './rpc-client.js'
export { NodeApi, blockTag } from './node-api.js'
export type { Capability } from './node-api.js'
export {
  parseBlock,
  parseHead,
  parseReceipt,
  parseReceipts,
  parseProof,
  parseExecutionWitness,
  parsePrestateTrace,
  parseChainId,
} from './rpc-types.js'
export type { RpcBlock, RpcHead, RpcReceipt, RpcLog, RpcProof, RpcTransaction, NormalizedWitness, TouchedKeys } from './rpc-types.js'
export { encodeRpcTransaction } from './tx-encoding.js'
export { NODE_PROFILES, PROFILE_DEVIATIONS, anvilRollupConfig, rollupConfigFor, payloadAttributesFor } from './profile.js'
export type { NodeProfileName } from './profile.js'
export { fetchWitness, witnessFromProofs, systemKeys } from './witness.js'
export type { BlockWitness, WitnessMode, WitnessSource, FetchWitnessOptions } from './witness.js'
export { createSequentialReplayer, createParallelReplayer } from './replayer.js'
export type { BlockReplayer, ReplayInputs, ReplayResult, ReplayTxDetail, ParallelStats, ParallelReplayerOptions } from './replayer.js'
export { verifyBlock, formatDiffs } from './verify.js'
export type { FieldDiff, VerifyOutcome } from './verify.js'
export { checkBlock } from './block-check.js'
export type { BlockReport, BlockStatus, BlockCheckDeps, CheckOptions } from './block-check.js'
export { Follower } from './follower.js'
export type { FollowerOptions, FollowerComponents, FollowerStatus } from './follower.js'
export { HeadSource } from './heads.js'
export type { HeadSourceOptions } from './heads.js'
export { createSidecarMetrics } from './metrics.js'
export type { SidecarMetrics } from './metrics.js'
export { ApiServer } from './server.js'
export type { ApiServerOptions, RpcHandler } from './server.js'
export { planBatch, parsePlanParams, PLAN_POLICIES } from './planner.js'
export type { BatchPlan, PlanOptions, PlanPolicy, PlanDeps } from './planner.js'
export { createRpcStateReader } from './rpc-state.js'
export * as SIDECAR_DEFAULTS from './constants.js'
