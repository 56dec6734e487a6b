/**
 * Static prediction: access sets without execution.
 *
 * A plain value transfer (no calldata, no access list, no authorizations, not a blob tx) to an
 * account that has no code in the parent state does exactly this under ethereumjs' runTx
 * (Prague): reads the sender's balance, nonce and code hash (EIP-3607) and writes its balance
 * and nonce; reads the recipient's balance and code, and writes its balance when value > 0; pays
 * the coinbase 21000 * tip as a credit. The predicted sets are the ones the tracer records for
 * the same transaction (tested), so a static prediction validates like a traced one.
 * Cases that would need execution to know fall back (`undefined`): zero-value transfers to an
 * existing account with zero balance (EIP-161 emptiness then depends on its nonce), recipient =
 * coinbase or a fee recipient, sender = recipient.
 */
import type { Block } from '@ethereumjs/block'
import type { StateManagerInterface } from '@ethereumjs/common'
import { Capability, type TypedTransaction } from '@ethereumjs/tx'
import type { VM } from '@ethereumjs/vm'
import type { TxFields } from './tx-fields.js'
import { ACCESS_SOURCE, type AccessSet, type AccessSource } from './access-set.js'
import { TRANSFER_GAS } from './constants.js'
import { traceTransaction, type TxOutcome } from './trace-tx.js'
import { TracingStateManager } from './tracing-state.js'

export interface StaticContext {
  /** Parent state (only the recipient's account is read). */
  parent: StateManagerInterface
  /** Block environment: coinbase and base fee. */
  block: Block
  /** Fee recipients besides the coinbase. */
  feeRecipients?: readonly string[]
}

/** The priority fee per gas the coinbase receives from `tx` under `block`. */
export function tipPerGas(tx: TxFields, block: Block): bigint {
  const baseFee = block.header.baseFeePerGas
  if (tx.supports(Capability.EIP1559FeeMarket)) {
    const t = tx as TxFields & { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    if (baseFee === undefined) return t.maxPriorityFeePerGas
    const cap = t.maxFeePerGas - baseFee
    return t.maxPriorityFeePerGas < cap ? t.maxPriorityFeePerGas : cap
  }
  const gasPrice = (tx as TxFields & { gasPrice: bigint }).gasPrice
  return baseFee === undefined ? gasPrice : gasPrice - baseFee
}

/** True when `tx` has the shape of a plain value transfer (recipient code still to be checked). */
export function isPlainTransferShape(tx: TxFields): boolean {
  if (tx.to === undefined || tx.data.length > 0 || tx.gasLimit < TRANSFER_GAS) return false
  if ('accessList' in tx && Array.isArray(tx.accessList) && tx.accessList.length > 0) return false
  if ('authorizationList' in tx) return false
  if ('blobVersionedHashes' in tx) return false
  return true
}

/** Access set of a plain transfer to a code-less account, or `undefined` if execution is needed. */
export async function predictTransferStatic(tx: TxFields, ctx: StaticContext): Promise<AccessSet | undefined> {
  if (!isPlainTransferShape(tx) || tx.to === undefined) return undefined
  let from: string
  try {
    from = tx.getSenderAddress().toString()
  } catch {
    return undefined
  }
  const to = tx.to.toString()
  const coinbase = ctx.block.header.coinbase.toString()
  const fees = new Set([coinbase, ...(ctx.feeRecipients ?? []).map((a) => a.toLowerCase())])
  if (from === to || fees.has(to) || fees.has(from)) return undefined
  const acc = await ctx.parent.getAccount(tx.to)
  if (acc !== undefined && acc.isContract()) return undefined
  // Zero value to an account without balance: EIP-161 emptiness then depends on its nonce.
  if (acc !== undefined && tx.value === 0n && acc.balance === 0n) return undefined
  const tip = tipPerGas(tx, ctx.block)
  if (tip < 0n) return undefined
  const reads = new Set([`b:${from}`, `n:${from}`, `c:${from}`, `b:${to}`, `c:${to}`])
  // A missing recipient reads its existence (all three fields), as the tracer does.
  if (acc === undefined) reads.add(`n:${to}`)
  const writes = new Set([`b:${from}`, `n:${from}`])
  if (tx.value > 0n) writes.add(`b:${to}`)
  const credits = new Map<string, bigint>()
  if (tip > 0n) credits.set(coinbase, TRANSFER_GAS * tip)
  return { reads, writes, credits }
}

/**
 * Keys any included run of `tx` certainly touches, whatever its code does: the sender's balance
 * and nonce (read and written), the recipient's balance when value moves (read and written), and
 * the coinbase's priority fee (a credit). A lower bound of its access set, for estimates that
 * must not see more conflicts than there are (an optimistic DAG), never for validation.
 */
export function certainAccess(tx: TxFields, sender: string, block: Block): AccessSet {
  const reads = new Set([`b:${sender}`, `n:${sender}`])
  const writes = new Set([`b:${sender}`, `n:${sender}`])
  const to = tx.to?.toString()
  if (to !== undefined && tx.value > 0n && to !== sender) {
    reads.add(`b:${to}`)
    writes.add(`b:${to}`)
  }
  const credits = new Map<string, bigint>()
  const tip = tipPerGas(tx, block)
  if (tip > 0n) credits.set(block.header.coinbase.toString(), tip * tx.gasLimit)
  return { reads, writes, credits }
}

/** A predicted access set, where it came from, and (when executed) the tx's gas and outcome. */
export interface Prediction {
  accessSet: AccessSet
  source: AccessSource
  /** Gas estimate for packing: exact when traced, 21000 for static transfers, the limit for hints. */
  gas: bigint
  outcome?: TxOutcome
}

export interface PredictOptions {
  /** A hint for this tx (e.g. from a block access list or a DAG hint); used as is when given. */
  hint?: AccessSet
  /** VM over a TracingStateManager on the parent state, for the traced fallback. */
  vm: VM
  block: Block
  feeRecipients?: readonly string[]
  /** Skip static rules (always trace unless hinted). */
  noStatic?: boolean
}

/** Predicts one tx's access set: the hint if any, else static rules, else a traced run against the parent. */
export async function predictAccessSet(tx: TypedTransaction, opts: PredictOptions): Promise<Prediction> {
  if (opts.hint !== undefined) return { accessSet: opts.hint, source: ACCESS_SOURCE.hint, gas: tx.gasLimit }
  const state = opts.vm.stateManager
  if (opts.noStatic !== true) {
    const parent = state instanceof TracingStateManager ? state.inner : state
    const ctx: StaticContext = { parent, block: opts.block, ...(opts.feeRecipients !== undefined ? { feeRecipients: opts.feeRecipients } : {}) }
    const s = await predictTransferStatic(tx, ctx)
    if (s !== undefined) return { accessSet: s, source: ACCESS_SOURCE.static, gas: TRANSFER_GAS }
  }
  const traceOpts = { block: opts.block, isolate: true, ...(opts.feeRecipients !== undefined ? { feeRecipients: opts.feeRecipients } : {}) }
  const t = await traceTransaction(opts.vm, tx, traceOpts)
  return { accessSet: t.accessSet, source: ACCESS_SOURCE.traced, gas: t.outcome.included ? t.outcome.gasUsed : 0n, outcome: t.outcome }
}
