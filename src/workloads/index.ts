export { generateAccesses, generatedKeyName, createZipfSampler, Xoshiro128, ACCESS_GEN_DEFAULTS } from './access-gen.js'
export type { AccessGenOptions, ZipfSampler } from './access-gen.js'
// Executed workloads (genesis builder + seeded block generators) and the block JSON format.
export { generateTransfers } from './transfers.js'
export type { TransfersOptions } from './transfers.js'
export { generateErc20 } from './erc20.js'
export type { Erc20Options } from './erc20.js'
export { generateUniswap } from './uniswap.js'
export type { UniswapOptions } from './uniswap.js'
export { createBlockEnv, commonForEnv, createEnvBlock, blockEnvToJson, blockEnvFromJson } from './env.js'
export type { BlockEnvJson } from './env.js'
export { GenesisBuilder } from './genesis.js'
export type { GenesisBuilderOptions } from './genesis.js'
export { deployTokens, deployUniswap, createPools, pairAddress, deployProbe, deployDestructibles } from './setup-contracts.js'
export type { UniswapDeployment, Pool } from './setup-contracts.js'
export { TxFactory, pickEnvelope } from './tx-factory.js'
export type { TxSpec, SignedTx, TxEnvelope, AccessListEntry } from './tx-factory.js'
export { deriveAccounts, derivePrivateKey, addressOfKey } from './keys.js'
export type { WorkloadAccount, AccountRole } from './keys.js'
export { createRng } from './rng.js'
export type { Rng } from './rng.js'
export { createZipf } from './zipf.js'
export type { Zipf } from './zipf.js'
export { selector, encodeArgs, encodeCall, encodeDeploy, decodeWord } from './abi.js'
export type { AbiArg } from './abi.js'
export { ERC20_SLOTS, mappingSlot, slotHex, erc20BalanceSlot, erc20AllowanceSlot } from './storage-layout.js'
export { creationCode } from './artifacts.js'
export { WorkloadError } from './errors.js'
export type { WorkloadErrorCode } from './errors.js'
export type {
  BlockEnv,
  Workload,
  WorkloadName,
  WorkloadOptions,
  WorkloadContracts,
  TxMeta,
  TxKind,
  InvalidReason,
  RejectStage,
  TxTypeChoice,
} from './types.js'
export * as WORKLOAD_DEFAULTS from './constants.js'
export { generateMixed, MIXED_WEIGHTS, INVALID_REASONS } from './mixed.js'
export type { MixedOptions, MixedKind } from './mixed.js'
export { workloadBlockInput } from './block-input.js'
export { workloadToJson, workloadFromJson, decodeWorkloadTx, rawTxChainId, BLOCK_JSON_FORMAT } from './json.js'
export type { WorkloadJson, TxMetaJson, WorkloadToJsonOptions } from './json.js'
export { generateWorkload, WORKLOAD_NAMES } from './generate.js'
export type { AnyWorkloadOptions } from './generate.js'
