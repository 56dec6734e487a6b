/**
 * L1 data fee, operator fee and DA footprint of OP transactions. The parameters come from the
 * L1Block predeploy's storage after the block's deposits ran (`readL1BlockInfo`); the formulas are
 * pure functions of those parameters and the transaction's full EIP-2718 encoding.
 */
import type { StateManagerInterface } from '@ethereumjs/common'
import { Address, bytesToBigInt, hexToBytes, setLengthLeft, bigIntToBytes } from '@ethereumjs/util'
import {
  DEPOSIT_TX_TYPE,
  FJORD_FASTLZ_COEF,
  FJORD_INTERCEPT,
  FJORD_MIN_TX_SIZE_SCALED,
  L1_BLOCK_ADDRESS,
  L1_BLOCK_SLOTS,
  OPERATOR_FEE_JOVIAN_MULTIPLIER,
  OPERATOR_FEE_SCALAR_DECIMAL,
} from './constants.js'
import { flzCompressLen } from './fastlz.js'
import type { OpForkFlags } from './rollup-config.js'

/** Fee parameters read from L1Block storage. */
export interface L1BlockInfo {
  l1BaseFee: bigint
  /** Bedrock formula parameters (used before Ecotone and in the first Ecotone block). */
  l1FeeOverhead: bigint
  l1FeeScalar: bigint
  /** Ecotone+ */
  baseFeeScalar: bigint
  blobBaseFeeScalar: bigint
  blobBaseFee: bigint
  /** True in Ecotone when both Ecotone scalars are still zero (the first Ecotone block). */
  emptyEcotoneScalars: boolean
  /** Isthmus+ */
  operatorFeeScalar: bigint
  operatorFeeConstant: bigint
  /** Jovian+ */
  daFootprintGasScalar: bigint
}

function slotKey(slot: bigint): Uint8Array {
  return setLengthLeft(bigIntToBytes(slot), 32)
}

function beSlice(word: Uint8Array, from: number, to: number): bigint {
  return bytesToBigInt(word.subarray(from, to))
}

/** Reads the L1 fee parameters from L1Block storage (call after the block's deposits). */
export async function readL1BlockInfo(state: StateManagerInterface, forks: OpForkFlags): Promise<L1BlockInfo> {
  const addr = new Address(hexToBytes(L1_BLOCK_ADDRESS))
  const read = async (slot: bigint): Promise<Uint8Array> => setLengthLeft(await state.getStorage(addr, slotKey(slot)), 32)
  const info: L1BlockInfo = {
    l1BaseFee: bytesToBigInt(await read(L1_BLOCK_SLOTS.baseFee)),
    l1FeeOverhead: 0n,
    l1FeeScalar: 0n,
    baseFeeScalar: 0n,
    blobBaseFeeScalar: 0n,
    blobBaseFee: 0n,
    emptyEcotoneScalars: false,
    operatorFeeScalar: 0n,
    operatorFeeConstant: 0n,
    daFootprintGasScalar: 0n,
  }
  const readBedrock = async (): Promise<void> => {
    info.l1FeeOverhead = bytesToBigInt(await read(L1_BLOCK_SLOTS.overhead))
    info.l1FeeScalar = bytesToBigInt(await read(L1_BLOCK_SLOTS.scalar))
  }
  if (!forks.ecotone) {
    await readBedrock()
    return info
  }
  const scalars = await read(L1_BLOCK_SLOTS.feeScalars)
  info.baseFeeScalar = beSlice(scalars, 16, 20)
  info.blobBaseFeeScalar = beSlice(scalars, 20, 24)
  info.blobBaseFee = bytesToBigInt(await read(L1_BLOCK_SLOTS.blobBaseFee))
  // First Ecotone block: the L1 attributes still use the Bedrock layout, so the Ecotone scalars
  // are unset and op-geth falls back to the Bedrock formula (overhead/scalar slots).
  info.emptyEcotoneScalars = info.baseFeeScalar === 0n && info.blobBaseFeeScalar === 0n
  if (info.emptyEcotoneScalars) await readBedrock()
  if (forks.isthmus) {
    const op = await read(L1_BLOCK_SLOTS.operatorFeeParams)
    info.operatorFeeScalar = beSlice(op, 20, 24)
    info.operatorFeeConstant = beSlice(op, 24, 32)
    if (forks.jovian) info.daFootprintGasScalar = beSlice(op, 18, 20)
  }
  return info
}

/** Calldata gas of the encoding: 4 per zero byte, 16 per non-zero byte. */
export function calldataGas(raw: Uint8Array): bigint {
  let zeros = 0
  for (const b of raw) if (b === 0) zeros++
  return BigInt(zeros) * 4n + BigInt(raw.length - zeros) * 16n
}

/** Fjord compressed-size estimate scaled by 1e6: max(100e6, -42_585_600 + 836_500 * fastLzLen). */
export function fjordEstimatedSizeScaled(raw: Uint8Array): bigint {
  const est = FJORD_INTERCEPT + FJORD_FASTLZ_COEF * BigInt(flzCompressLen(raw))
  return est > FJORD_MIN_TX_SIZE_SCALED ? est : FJORD_MIN_TX_SIZE_SCALED
}

function isDepositOrEmpty(raw: Uint8Array): boolean {
  return raw.length === 0 || raw[0] === DEPOSIT_TX_TYPE
}

/** Bedrock (Regolith+) L1 fee: (calldataGas + overhead) * l1BaseFee * scalar / 1e6. */
export function l1CostBedrock(info: L1BlockInfo, raw: Uint8Array): bigint {
  return ((calldataGas(raw) + info.l1FeeOverhead) * info.l1BaseFee * info.l1FeeScalar) / 1_000_000n
}

function l1FeeScaled(info: L1BlockInfo): bigint {
  return 16n * info.l1BaseFee * info.baseFeeScalar + info.blobBaseFee * info.blobBaseFeeScalar
}

/** Ecotone L1 fee: calldataGas * (16*l1BaseFee*baseFeeScalar + blobBaseFee*blobBaseFeeScalar) / 16e6. */
export function l1CostEcotone(info: L1BlockInfo, raw: Uint8Array): bigint {
  if (info.emptyEcotoneScalars) return l1CostBedrock(info, raw)
  return (calldataGas(raw) * l1FeeScaled(info)) / 16_000_000n
}

/** Fjord L1 fee: estimatedSizeScaled * (16*l1BaseFee*baseFeeScalar + blobBaseFee*blobBaseFeeScalar) / 1e12. */
export function l1CostFjord(info: L1BlockInfo, raw: Uint8Array): bigint {
  return (fjordEstimatedSizeScaled(raw) * l1FeeScaled(info)) / 1_000_000_000_000n
}

/** The L1 data fee of a transaction's full EIP-2718 encoding (zero for deposits). */
export function l1Cost(info: L1BlockInfo, forks: OpForkFlags, raw: Uint8Array): bigint {
  if (isDepositOrEmpty(raw)) return 0n
  if (forks.fjord) return l1CostFjord(info, raw)
  if (forks.ecotone) return l1CostEcotone(info, raw)
  return l1CostBedrock(info, raw)
}

/** The receipt's `l1GasUsed`: calldata gas (+ overhead pre-Ecotone), or the Fjord size estimate * 16 / 1e6. */
export function l1GasUsed(info: L1BlockInfo, forks: OpForkFlags, raw: Uint8Array): bigint {
  if (isDepositOrEmpty(raw)) return 0n
  if (forks.fjord) return (fjordEstimatedSizeScaled(raw) * 16n) / 1_000_000n
  if (!forks.ecotone || info.emptyEcotoneScalars) return calldataGas(raw) + info.l1FeeOverhead
  return calldataGas(raw)
}

/** Operator fee for `gas` (Isthmus: gas*scalar/1e6 + constant; Jovian: gas*scalar*100 + constant). */
export function operatorFee(info: L1BlockInfo, forks: OpForkFlags, gas: bigint): bigint {
  if (!forks.isthmus) return 0n
  const product = forks.jovian
    ? gas * info.operatorFeeScalar * OPERATOR_FEE_JOVIAN_MULTIPLIER
    : (gas * info.operatorFeeScalar) / OPERATOR_FEE_SCALAR_DECIMAL
  return product + info.operatorFeeConstant
}

/** Jovian DA footprint of one transaction: (estimatedSizeScaled / 1e6) * daFootprintGasScalar. */
export function daFootprint(info: L1BlockInfo, forks: OpForkFlags, raw: Uint8Array): bigint {
  if (!forks.jovian || isDepositOrEmpty(raw)) return 0n
  return (fjordEstimatedSizeScaled(raw) / 1_000_000n) * info.daFootprintGasScalar
}
