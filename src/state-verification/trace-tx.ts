/**
 * traceTransaction: run one transaction with ethereumjs `runTx` over a TracingStateManager and
 * return its access set, write set and outcome. An invalid transaction (nonce, funds, intrinsic
 * gas, fee cap, chain id, signature, block gas left) is returned as excluded with a reason; it
 * is never thrown. An excluded transaction still reports what it read (its validity depends on
 * the sender's nonce and balance), and writes nothing.
 */
import type { Block } from '@ethereumjs/block'
import type { Log } from '@ethereumjs/evm'
import type { TypedTransaction } from '@ethereumjs/tx'
import { Capability } from '@ethereumjs/tx'
import { type RunTxOpts, type RunTxResult, type VM, runTx } from '@ethereumjs/vm'
import { ParadagError } from '../common/errors.js'
import { StateVerificationError } from './errors.js'
import { TracingStateManager, type TxAccessTrace } from './tracing-state.js'
import { toHex } from '../common/index.js'

/** Why a transaction cannot be included (where sequential execution would reject it). */
export const EXCLUSION_REASON = {
  nonceTooLow: 'NONCE_TOO_LOW',
  nonceTooHigh: 'NONCE_TOO_HIGH',
  insufficientFunds: 'INSUFFICIENT_FUNDS',
  intrinsicGasTooLow: 'INTRINSIC_GAS_TOO_LOW',
  gasLimitExceedsBlock: 'GAS_LIMIT_EXCEEDS_BLOCK',
  feeCapTooLow: 'FEE_CAP_TOO_LOW',
  senderNotEoa: 'SENDER_NOT_EOA',
  wrongChainId: 'WRONG_CHAIN_ID',
  invalidSignature: 'INVALID_SIGNATURE',
  unsupported: 'UNSUPPORTED_TX',
  invalid: 'INVALID_TX',
} as const
export type ExclusionReason = (typeof EXCLUSION_REASON)[keyof typeof EXCLUSION_REASON]

/** The outcome of an included transaction. */
export interface IncludedOutcome {
  included: true
  /** Receipt status: 1 success, 0 failure (revert, out of gas, ...). */
  status: 0 | 1
  /** Gas the sender paid for (after refunds): the receipt's gas. */
  gasUsed: bigint
  /** Gas counted against the block gas limit (equals `gasUsed` before EIP-7778). */
  blockGasUsed: bigint
  logs: Log[]
  /** EVM error of the top frame, e.g. `revert`, `out of gas`. */
  error?: string
  createdAddress?: string
  /** Amount paid to the coinbase by runTx (priority fee * gas). */
  minerValue: bigint
}

/** The outcome of a transaction that cannot be included. */
export interface ExcludedOutcome {
  included: false
  reason: ExclusionReason
  message: string
}

export type TxOutcome = IncludedOutcome | ExcludedOutcome

/** Access set, write set and outcome of one traced transaction. */
export interface TxTrace extends TxAccessTrace {
  outcome: TxOutcome
}

/** A replacement for ethereumjs `runTx` (e.g. chain rules with extra fee credits). */
export type RunTxFn = (vm: VM, opts: RunTxOpts) => Promise<RunTxResult>

export interface TraceTxOptions {
  /** Block environment (coinbase, base fee, number, timestamp, gas limit). */
  block?: Block
  /** Extra fee recipients (fee vaults); the block's coinbase is always one. */
  feeRecipients?: readonly string[]
  /** Run inside a checkpoint and revert afterwards (speculative run against a fixed state). */
  isolate?: boolean
  /** Gas already used in the block: when set, a tx whose gas limit exceeds what is left is excluded. */
  blockGasUsed?: bigint
  /** Replaces `runTx` (chain rules). */
  runTx?: RunTxFn
  /** Report how the transaction used its sender's account (`TxAccessTrace.sender`). */
  watchSender?: boolean
}

/** The sender (0x-lowercase), or undefined when it cannot be recovered (runTx reports that). */
function senderOf(tx: TypedTransaction): string | undefined {
  try {
    return tx.getSenderAddress().toString()
  } catch {
    return undefined
  }
}

/** Traces one transaction on a VM whose state manager is a TracingStateManager. */
export async function traceTransaction(vm: VM, tx: TypedTransaction, opts: TraceTxOptions = {}): Promise<TxTrace> {
  const state = vm.stateManager
  if (!(state instanceof TracingStateManager)) {
    throw new StateVerificationError('SV_NOT_TRACING', 'the VM state manager is not a TracingStateManager')
  }
  state.attach(vm.evm)
  if (opts.block !== undefined) state.addFeeRecipients([opts.block.header.coinbase.toString()])
  if (opts.feeRecipients !== undefined) state.addFeeRecipients(opts.feeRecipients)
  if (opts.isolate === true) await state.checkpoint()
  state.beginTx(opts.watchSender === true ? senderOf(tx) : undefined)
  let outcome: TxOutcome | undefined
  let trace: TxAccessTrace
  try {
    outcome = precheck(vm, tx, opts) ?? (await execute(vm, tx, opts))
  } finally {
    // Recording must stop (and an isolated run be rolled back) even on an unexpected throw.
    trace = state.endTx()
    if (opts.isolate === true) await state.revert()
  }
  if (!outcome.included) {
    trace = { accessSet: { reads: trace.accessSet.reads, writes: new Set(), credits: new Map() }, writeSet: { accounts: new Map(), credits: new Map() } }
  }
  return { ...trace, outcome }
}

function precheck(vm: VM, tx: TypedTransaction, opts: TraceTxOptions): ExcludedOutcome | undefined {
  if (tx.supports(Capability.EIP155ReplayProtection) || tx.type !== 0) {
    const chainId = 'chainId' in tx ? (tx.chainId as bigint) : tx.common.chainId()
    if (chainId !== vm.common.chainId()) {
      return { included: false, reason: EXCLUSION_REASON.wrongChainId, message: `tx chain id ${chainId} != ${vm.common.chainId()}` }
    }
  }
  // A bad signature surfaces from runTx (getSenderAddress) and is classified there; checking it
  // here would cost a second keccak of the public key per transaction.
  if (!tx.isSigned()) return { included: false, reason: EXCLUSION_REASON.invalidSignature, message: 'transaction is not signed' }
  if (opts.blockGasUsed !== undefined && opts.block !== undefined && opts.blockGasUsed + tx.gasLimit > opts.block.header.gasLimit) {
    return { included: false, reason: EXCLUSION_REASON.gasLimitExceedsBlock, message: `tx gas limit ${tx.gasLimit} exceeds the gas left in the block` }
  }
  return undefined
}

async function execute(vm: VM, tx: TypedTransaction, opts: TraceTxOptions): Promise<TxOutcome> {
  const run = opts.runTx ?? runTx
  let res: RunTxResult
  try {
    const runOpts: RunTxOpts = { tx, skipBlockGasLimitValidation: true, skipHardForkValidation: true }
    if (opts.block !== undefined) runOpts.block = opts.block
    res = await run(vm, runOpts)
  } catch (e) {
    // State that cannot be read (an incomplete witness, a failed fetch) says nothing about the
    // transaction: it is an error of the run, never an exclusion.
    if (e instanceof ParadagError && /^(STATE|EXEC|NETWORK)_/.test(e.code)) throw e
    return { included: false, ...classifyTxError(e) }
  }
  const err = res.execResult.exceptionError
  const out: IncludedOutcome = {
    included: true,
    status: err === undefined ? 1 : 0,
    gasUsed: res.totalGasSpent,
    blockGasUsed: res.blockGasSpent,
    logs: res.execResult.logs ?? [],
    minerValue: res.minerValue,
  }
  if (err !== undefined) out.error = err.error
  if (res.createdAddress !== undefined) out.createdAddress = res.createdAddress.toString()
  return out
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Maps an ethereumjs runTx validation error to an exclusion reason. */
export function classifyTxError(e: unknown): { reason: ExclusionReason; message: string } {
  const message = errMessage(e)
  const m = message.toLowerCase()
  const nonce = /account has nonce of: (\d+) tx has nonce of: (\d+)/.exec(message)
  if (nonce !== null) {
    const reason = BigInt(nonce[2] ?? '0') < BigInt(nonce[1] ?? '0') ? EXCLUSION_REASON.nonceTooLow : EXCLUSION_REASON.nonceTooHigh
    return { reason, message }
  }
  if (m.includes("doesn't have enough funds")) return { reason: EXCLUSION_REASON.insufficientFunds, message }
  if (m.includes('intrinsic_gas_too_low') || m.includes('intrinsic regular gas')) return { reason: EXCLUSION_REASON.intrinsicGasTooLow, message }
  if (m.includes('higher gas limit than the block')) return { reason: EXCLUSION_REASON.gasLimitExceedsBlock, message }
  if (m.includes("less than the block's basefeepergas") || m.includes('maxfeeperblobgas')) return { reason: EXCLUSION_REASON.feeCapTooLow, message }
  if (m.includes('eip-3607')) return { reason: EXCLUSION_REASON.senderNotEoa, message }
  if (m.includes('signature')) return { reason: EXCLUSION_REASON.invalidSignature, message }
  if (m.includes('not activated') || m.includes('only valid with')) return { reason: EXCLUSION_REASON.unsupported, message }
  return { reason: EXCLUSION_REASON.invalid, message }
}

/** Hex form of a log (address, topics, data) for JSON. */
export function logToJson(l: Log): [string, string[], string] {
  return [toHex(l[0]), l[1].map((t) => toHex(t)), toHex(l[2])]
}
