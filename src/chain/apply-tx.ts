/**
 * One OP transaction against any ethereumjs VM / StateManagerInterface. This is the unit both the
 * sequential builder and parallel executors call: deposits (mint first and kept on failure, no
 * fees, nonce bump, failure rules) run through the EVM directly; other transactions pay the L1 fee
 * and worst-case operator fee up front, run through `VM.runTx` (which pays the coinbase tip), and
 * then credit the base fee, L1 fee and operator fee to their vaults through `creditBalance`, so a
 * tracing state layer can record them as commutative credits.
 */
import type { Log } from '@ethereumjs/evm'
import { createLegacyTx, getCalldataFloorGas } from '@ethereumjs/tx'
import { Account, Address, hexToBytes } from '@ethereumjs/util'
import { type RunTxOpts, type RunTxResult, type VM, runTx } from '@ethereumjs/vm'
import { ParadagError } from '../common/errors.js'
import { creditBalance } from '../state-verification/credit.js'
import { type OpBlockContext, loadL1BlockInfo } from './block-context.js'
import { BASE_FEE_VAULT, DEPOSIT_RECEIPT_VERSION, DEPOSIT_TX_TYPE, L1_FEE_VAULT, OPERATOR_FEE_VAULT } from './constants.js'
import type { DepositTx } from './deposit-tx.js'
import { depositTxHash } from './deposit-tx.js'
import { ChainError } from './errors.js'
import { type L1BlockInfo, daFootprint, l1Cost, l1GasUsed, operatorFee } from './l1-fee.js'
import type { OpReceipt } from './receipts.js'
import { type OpTransaction, isDepositTx } from './transactions.js'

const BASE_FEE_VAULT_ADDR = new Address(hexToBytes(BASE_FEE_VAULT))
const L1_FEE_VAULT_ADDR = new Address(hexToBytes(L1_FEE_VAULT))
const OPERATOR_FEE_VAULT_ADDR = new Address(hexToBytes(OPERATOR_FEE_VAULT))

export interface ApplyOpTxOptions {
  /** The transaction's raw EIP-2718 encoding (the L1 fee and DA footprint are computed over it). */
  raw: Uint8Array
  /** Position in the block (for errors and results). */
  index: number
  /** Gas used by the block's earlier transactions (the block gas pool check). */
  blockGasUsed: bigint
}

/** What one transaction did; the receipt's cumulative gas is left to the caller. */
export interface OpTxResult {
  index: number
  type: number
  hash: Uint8Array
  sender: Address
  isDeposit: boolean
  status: 0 | 1
  /** Gas this transaction adds to the block's gasUsed (receipt gasUsed). */
  gasUsed: bigint
  logs: Log[]
  /** EVM exception ('revert', 'out of gas', ...) or deposit failure reason. */
  error?: string | undefined
  createdAddress?: Address | undefined
  /** Deposits: the sender nonce before execution; Canyon+: receipt version 1. */
  depositNonce?: bigint | undefined
  depositReceiptVersion?: bigint | undefined
  /** Fees (zero for deposits). */
  l1Fee: bigint
  l1GasUsed: bigint
  operatorFee: bigint
  baseFee: bigint
  /** Jovian DA footprint (receipt blobGasUsed). */
  daFootprint: bigint
}

/** The block-level receipt of a result, given the cumulative gas including this transaction. */
export function toOpReceipt(r: OpTxResult, cumulativeGasUsed: bigint): OpReceipt {
  return {
    type: r.type,
    status: r.status,
    cumulativeGasUsed,
    logs: r.logs,
    depositNonce: r.depositNonce,
    depositReceiptVersion: r.depositReceiptVersion,
  }
}

function checkGasPool(ctx: OpBlockContext, gasLimit: bigint, opts: ApplyOpTxOptions): void {
  if (opts.blockGasUsed + gasLimit > ctx.gasLimit) {
    throw new ChainError(
      'CHAIN_BLOCK_GAS_EXCEEDED',
      `transaction ${opts.index} (gas limit ${gasLimit}) does not fit the block: ${opts.blockGasUsed} of ${ctx.gasLimit} already used`,
      { details: { index: opts.index, gasLimit: gasLimit.toString(), blockGasUsed: opts.blockGasUsed.toString() } },
    )
  }
}

/** What a regular transaction paid besides the coinbase tip. */
export interface OpFeesPaid {
  res: RunTxResult
  l1Fee: bigint
  opFee: bigint
  baseFee: bigint
}

/**
 * Runs a regular (non-deposit) transaction with the OP fee rules around ethereumjs `runTx`:
 * the L1 fee and the worst-case operator fee leave the sender first (op-geth buyGas), then the
 * base fee, L1 fee and operator fee are credited to their vaults (commutative credits) and the
 * unused operator fee is refunded.
 */
export async function runWithOpFees(ctx: OpBlockContext, vm: VM, runOpts: RunTxOpts, raw: Uint8Array, info: L1BlockInfo): Promise<OpFeesPaid> {
  const state = vm.stateManager
  const { forks } = ctx
  const tx = runOpts.tx
  const sender = tx.getSenderAddress()
  const l1Fee = l1Cost(info, forks, raw)
  const opFeeMax = operatorFee(info, forks, tx.gasLimit)
  const acc = (await state.getAccount(sender)) ?? new Account()
  if (acc.balance < l1Fee + opFeeMax) {
    throw new ChainError('CHAIN_TX_INVALID', `sender ${sender.toString()} cannot pay the L1 fee ${l1Fee} + operator fee ${opFeeMax}`, { details: { sender: sender.toString() } })
  }
  if (l1Fee + opFeeMax > 0n) {
    acc.balance -= l1Fee + opFeeMax
    await state.putAccount(sender, acc)
  }
  const res = await runTx(vm, runOpts)
  const gasUsed = res.totalGasSpent
  const baseFee = gasUsed * ctx.baseFeePerGas
  await creditBalance(state, BASE_FEE_VAULT_ADDR, baseFee)
  await creditBalance(state, L1_FEE_VAULT_ADDR, l1Fee)
  let opFee = 0n
  if (forks.isthmus) {
    opFee = operatorFee(info, forks, gasUsed)
    const refund = opFeeMax - opFee
    if (refund > 0n) {
      const a = (await state.getAccount(sender)) ?? new Account()
      a.balance += refund
      await state.putAccount(sender, a)
    }
    await creditBalance(state, OPERATOR_FEE_VAULT_ADDR, opFee)
  }
  return { res, l1Fee, opFee, baseFee }
}

/**
 * A `runTx` replacement with the OP fee rules, for tracing and group execution of the
 * non-deposit transactions of a block (after the deposits ran and `ctx.l1Info` is loaded).
 */
export function createOpRunTx(ctx: OpBlockContext): (vm: VM, opts: RunTxOpts) => Promise<RunTxResult> {
  return async (vm, opts) => {
    if (ctx.l1Info === undefined) throw new ChainError('CHAIN_MISSING_FIELD', 'L1 block info must be loaded before regular transactions run')
    return (await runWithOpFees(ctx, vm, { ...opts, block: ctx.block }, opts.tx.serialize(), ctx.l1Info)).res
  }
}

/** Applies one OP transaction to `vm.stateManager` and returns its result. */
export async function applyOpTransaction(ctx: OpBlockContext, vm: VM, tx: OpTransaction, opts: ApplyOpTxOptions): Promise<OpTxResult> {
  if (isDepositTx(tx)) return applyDeposit(ctx, vm, tx, opts)
  return applyRegular(ctx, vm, tx, opts)
}

async function applyDeposit(ctx: OpBlockContext, vm: VM, tx: DepositTx, opts: ApplyOpTxOptions): Promise<OpTxResult> {
  checkGasPool(ctx, tx.gasLimit, opts)
  const evm = vm.evm
  const journal = evm.journal
  const state = vm.stateManager
  await journal.cleanup()
  // The mint is credited before anything else and survives a failed deposit.
  const acc = (await state.getAccount(tx.from)) ?? new Account()
  acc.balance += tx.mint
  await journal.putAccount(tx.from, acc)
  const depositNonce = acc.nonce
  const base: Omit<OpTxResult, 'status' | 'gasUsed' | 'logs'> = {
    index: opts.index,
    type: DEPOSIT_TX_TYPE,
    hash: depositTxHash(tx),
    sender: tx.from,
    isDeposit: true,
    depositNonce,
    depositReceiptVersion: ctx.forks.canyon ? DEPOSIT_RECEIPT_VERSION : undefined,
    l1Fee: 0n,
    l1GasUsed: 0n,
    operatorFee: 0n,
    baseFee: 0n,
    daFootprint: 0n,
  }

  await journal.checkpoint()
  const fail = async (reason: string): Promise<OpTxResult> => {
    // Everything but the mint is undone; the nonce is still bumped and the whole gas limit counts.
    await journal.revert()
    const a = (await state.getAccount(tx.from)) ?? new Account()
    a.nonce += 1n
    await journal.putAccount(tx.from, a)
    await journal.cleanup()
    state.originalStorageCache.clear()
    return { ...base, status: 0, gasUsed: tx.gasLimit, logs: [], error: `failed deposit: ${reason}` }
  }
  // Regolith+: system transactions are no longer supported.
  if (tx.isSystemTx) return fail('system transactions are not supported since Regolith')

  const shim = createLegacyTx(
    { ...(tx.to !== undefined ? { to: tx.to } : {}), value: tx.value, data: tx.data, gasLimit: tx.gasLimit, gasPrice: 0n },
    { common: ctx.common },
  )
  const intrinsic = shim.getIntrinsicGas()
  if (tx.gasLimit < intrinsic) return fail(`intrinsic gas too low: have ${tx.gasLimit}, want ${intrinsic}`)
  const floor = ctx.common.isActivatedEIP(7623) ? getCalldataFloorGas(shim, tx.from) : 0n
  if (tx.gasLimit < floor) return fail(`gas limit below the EIP-7623 floor: have ${tx.gasLimit}, want ${floor}`)
  if (tx.value > 0n && acc.balance < tx.value) return fail('insufficient funds for transfer')
  if (tx.to === undefined && ctx.common.isActivatedEIP(3860) && BigInt(tx.data.length) > ctx.common.param('maxInitCodeSize')) {
    return fail('max initcode size exceeded')
  }

  // Access-list warming as for any transaction (EIP-2929, EIP-3651).
  for (const [addressStr] of evm.precompiles.entries()) journal.addAlwaysWarmAddress(addressStr)
  journal.addAlwaysWarmAddress(tx.from.toString())
  if (tx.to !== undefined) journal.addAlwaysWarmAddress(tx.to.toString())
  if (ctx.common.isActivatedEIP(3651)) journal.addAlwaysWarmAddress(ctx.coinbase.toString())

  const res = await evm.runCall({
    block: ctx.block,
    caller: tx.from,
    origin: tx.from,
    ...(tx.to !== undefined ? { to: tx.to } : {}),
    value: tx.value,
    data: tx.data,
    gasLimit: tx.gasLimit - intrinsic,
    gasPrice: 0n,
  })
  const exec = res.execResult
  let gasUsed = intrinsic + exec.executionGasUsed
  if (exec.exceptionError === undefined) {
    const refund = exec.gasRefund ?? 0n
    const cap = gasUsed / ctx.common.param('maxRefundQuotient')
    gasUsed -= refund < cap ? refund : cap
  }
  if (gasUsed < floor) gasUsed = floor
  if (exec.selfdestruct !== undefined) {
    for (const addrHex of exec.selfdestruct.keys()) {
      if (ctx.common.isActivatedEIP(6780) && !exec.createdAddresses?.has(addrHex)) continue
      await journal.deleteAccount(new Address(hexToBytes(addrHex as `0x${string}`)))
    }
  }
  await journal.commit()
  await journal.cleanup()
  state.originalStorageCache.clear()
  const err = exec.exceptionError
  const ok = err === undefined
  return {
    ...base,
    status: ok ? 1 : 0,
    gasUsed,
    logs: ok ? (exec.logs ?? []) : [],
    error: err?.error,
    createdAddress: ok ? res.createdAddress : undefined,
  }
}

async function applyRegular(ctx: OpBlockContext, vm: VM, tx: Exclude<OpTransaction, DepositTx>, opts: ApplyOpTxOptions): Promise<OpTxResult> {
  checkGasPool(ctx, tx.gasLimit, opts)
  const state = vm.stateManager
  const forks = ctx.forks
  const info = ctx.l1Info ?? (await loadL1BlockInfo(ctx, state))
  let sender: Address
  try {
    sender = tx.getSenderAddress()
  } catch (cause) {
    throw new ChainError('CHAIN_TX_INVALID', `transaction ${opts.index}: invalid signature`, { details: { index: opts.index }, cause })
  }
  let paid: OpFeesPaid
  try {
    paid = await runWithOpFees(ctx, vm, { tx, block: ctx.block, skipHardForkValidation: true }, opts.raw, info)
  } catch (cause) {
    if (cause instanceof ParadagError) {
      if (cause.code === 'CHAIN_TX_INVALID') throw new ChainError('CHAIN_TX_INVALID', `transaction ${opts.index}: ${cause.message}`, { details: { index: opts.index, sender: sender.toString() }, cause })
      throw cause
    }
    const msg = cause instanceof Error ? cause.message.split(' (')[0] : String(cause)
    throw new ChainError('CHAIN_TX_INVALID', `transaction ${opts.index} is invalid: ${msg}`, { details: { index: opts.index, sender: sender.toString() }, cause })
  }
  const { res, l1Fee, opFee, baseFee } = paid
  const gasUsed = res.totalGasSpent
  const err = res.execResult.exceptionError
  const ok = err === undefined
  return {
    index: opts.index,
    type: tx.type,
    hash: tx.hash(),
    sender,
    isDeposit: false,
    status: ok ? 1 : 0,
    gasUsed,
    logs: res.execResult.logs ?? [],
    error: err?.error,
    createdAddress: res.createdAddress,
    l1Fee,
    l1GasUsed: l1GasUsed(info, forks, opts.raw),
    operatorFee: opFee,
    baseFee,
    daFootprint: daFootprint(info, forks, opts.raw),
  }
}
