export { ChainError } from './errors.js'
export type { ChainErrorCode } from './errors.js'
export * from './constants.js'
export { OP_FORKS, parseRollupConfig, activeForks, assertKnownForks, isActivationBlock, latestFork } from './rollup-config.js'
export type { OpFork, OpForkFlags, RollupConfig, BaseFeeConfig } from './rollup-config.js'
export { createDepositTx, decodeDepositTx, encodeDepositTx, depositTxHash, depositTxToJson, isDepositEncoding } from './deposit-tx.js'
export type { DepositTx, DepositTxFields } from './deposit-tx.js'
export { decodeOpTransaction, isDepositTx, opTxHash, opTxType } from './transactions.js'
export type { OpTransaction, DecodeOpTxOptions } from './transactions.js'
export { flzCompressLen } from './fastlz.js'
export {
  readL1BlockInfo,
  calldataGas,
  fjordEstimatedSizeScaled,
  l1Cost,
  l1CostBedrock,
  l1CostEcotone,
  l1CostFjord,
  l1GasUsed,
  operatorFee,
  daFootprint,
} from './l1-fee.js'
export type { L1BlockInfo } from './l1-fee.js'
export {
  decodeEip1559Params,
  encodeHoloceneExtraData,
  encodeJovianExtraData,
  decodeExtraDataParams,
  activeEip1559Params,
  nextBaseFee,
} from './base-fee.js'
export type { Eip1559Params, BaseFeeParent } from './base-fee.js'
export { HEADER_FIELDS, encodeHeader, headerHash, decodeHeader, headerFromJson, headerToJson } from './header.js'
export type { OpHeader } from './header.js'
export { encodeReceipt, logsBloom, orderedTrieRoot, receiptsRoot, transactionsRoot } from './receipts.js'
export type { OpReceipt } from './receipts.js'
export { evmHardfork, createOpCommon, opCustomPrecompiles } from './evm-config.js'
export { parsePayloadAttributes } from './payload.js'
export type { OpPayloadAttributes } from './payload.js'
export { createOpBlockContext, createOpVM, loadL1BlockInfo } from './block-context.js'
export type { OpBlockContext, CreateOpBlockContextOptions } from './block-context.js'
export { applyOpSystemCalls } from './system-calls.js'
export { applyOpTransaction, toOpReceipt, runWithOpFees, createOpRunTx } from './apply-tx.js'
export type { ApplyOpTxOptions, OpTxResult, OpFeesPaid } from './apply-tx.js'
export { executeOpBlock, sealOpBlock, diffHeaders, assertBlockHash } from './execute-block.js'
export type { ExecuteOpBlockOptions, OpBlockResult, SealInputs } from './execute-block.js'
export { parseOpBlockFixture } from './fixture.js'
export type { OpBlockFixture } from './fixture.js'
export { createEnvBlock, applyPreBlockSystemWrites } from './ethereum-env.js'
