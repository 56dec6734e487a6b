/**
 * paradag's sequential path (baseline B, and the reference every parallel path must equal):
 * one VM over a Merkle state with caches, one outer checkpoint for the whole block, each
 * transaction run in canonical order. A transaction that sequential execution rejects (decode,
 * signature, nonce, funds, intrinsic gas, chain id, block gas left) is excluded with a reason.
 */
import type { Common, StateManagerInterface } from '@ethereumjs/common'
import type { TypedTransaction } from '@ethereumjs/tx'
import { createVM, runTx, type VM } from '@ethereumjs/vm'
import {
  blockBloom,
  buildHeader,
  buildReceipts,
  receiptsRoot as computeReceiptsRoot,
  orderedTrieRoot,
  type BlockEnv,
  type BodyRoots,
  type CommittedReceipt,
  type ReceiptInput,
} from '../batch-committer/block.js'
import { applyPreBlockSystemWrites, createEnvBlock } from '../chain/index.js'
import { commonForVM } from '../crypto/index.js'
import { prepareTransactions, type Exclusion, type PreparedBlock, type PreparedTx } from './prepare.js'
import { EXCLUSION_REASON, classifyTxError } from '../state-verification/index.js'

/** The committed block: included transactions with receipts, exclusions, roots and hash. */
export interface BlockOutcome {
  included: { index: number; tx: TypedTransaction; receipt: CommittedReceipt }[]
  excluded: Exclusion[]
  gasUsed: bigint
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  transactionsRoot: Uint8Array
  logsBloom: Uint8Array
  blockHash: Uint8Array
}

export interface SequentialOptions {
  common: Common
  env: BlockEnv
  /** Parent state; it is modified in place (the block's writes are committed into it). */
  state: StateManagerInterface
  raws: readonly Uint8Array[]
  prepared?: PreparedBlock
  vm?: VM
}

/** The outcome of running one transaction: receipt facts, or the reason it is excluded. */
export type TxRun = { ok: true; receipt: ReceiptInput } | { ok: false; exclusion: Exclusion }

/** Runs one prepared transaction with the block gas check; invalid transactions become exclusions. */
export async function runOne(
  vm: VM,
  tx: TypedTransaction,
  index: number,
  block: ReturnType<typeof createEnvBlock>,
  gasLeft: bigint,
): Promise<TxRun> {
  if (tx.gasLimit > gasLeft) {
    return {
      ok: false,
      exclusion: {
        index,
        code: EXCLUSION_REASON.gasLimitExceedsBlock,
        reason: `transaction ${index} gas limit ${tx.gasLimit} is above the ${gasLeft} gas the block has left`,
      },
    }
  }
  try {
    const res = await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })
    return {
      ok: true,
      receipt: {
        txType: tx.type,
        status: res.execResult.exceptionError === undefined ? 1 : 0,
        gasUsed: res.totalGasSpent,
        logs: res.execResult.logs ?? [],
      },
    }
  } catch (err) {
    const c = classifyTxError(err)
    return { ok: false, exclusion: { index, code: c.reason, reason: `transaction ${index}: ${firstLine(c.message)}` } }
  }
}

function firstLine(s: string): string {
  const i = s.indexOf(' (block ')
  return (i > 0 ? s.slice(0, i) : s).split('\n')[0] ?? s
}

/**
 * Runs `txs` in order on `vm` (block gas left = gasLimit - gasUsed, starting from `gasUsed`),
 * appending to `included` / `excluded`; returns the block gas used after them.
 */
export async function runInOrder(
  vm: VM,
  txs: readonly PreparedTx[],
  block: ReturnType<typeof createEnvBlock>,
  gasLimit: bigint,
  gasUsed: bigint,
  included: { index: number; tx: TypedTransaction; raw: Uint8Array; receipt: ReceiptInput }[],
  excluded: Exclusion[],
): Promise<bigint> {
  let used = gasUsed
  for (const p of txs) {
    const r = await runOne(vm, p.tx, p.index, block, gasLimit - used)
    if (!r.ok) {
      excluded.push(r.exclusion)
      continue
    }
    used += r.receipt.gasUsed
    included.push({ index: p.index, tx: p.tx, raw: p.raw, receipt: r.receipt })
  }
  return used
}

/**
 * `entry` with a `tx` that reads `from.tx` when read: a transaction prepared lazily (the parallel
 * path's main thread decodes only what it runs) is not decoded by being passed along.
 */
export function withTxOf<T extends object>(entry: T, from: { readonly tx: TypedTransaction }): T & { readonly tx: TypedTransaction } {
  Object.defineProperty(entry, 'tx', { enumerable: true, configurable: true, get: () => from.tx })
  return entry as T & { readonly tx: TypedTransaction }
}

/** Executes the block sequentially and returns the committed outcome. */
export async function executeSequential(opts: SequentialOptions): Promise<BlockOutcome> {
  const { common, env, state } = opts
  const vm = opts.vm ?? (await createVM({ common: commonForVM(common), stateManager: state }))
  const block = createEnvBlock(env, common)
  const prepared = opts.prepared ?? prepareTransactions(opts.raws, common)
  const excluded: Exclusion[] = [...prepared.excluded]
  const included: { index: number; tx: TypedTransaction; raw: Uint8Array; receipt: ReceiptInput }[] = []
  await state.checkpoint()
  await applyPreBlockSystemWrites(state, env, common)
  await runInOrder(vm, prepared.txs.filter((p): p is PreparedTx => p !== null), block, env.gasLimit, 0n, included, excluded)
  await state.commit()
  return finishBlock({ common, env, state, included, excluded })
}


/** Computes receipts, roots, header and hash once every included transaction's effects are in `state`. */
export async function finishBlock(args: {
  common: Common
  env: BlockEnv
  state: StateManagerInterface
  /** `raw`: the transaction's EIP-2718 bytes as received (else re-serialized). */
  included: { index: number; tx: TypedTransaction; raw?: Uint8Array; receipt: ReceiptInput }[]
  excluded: Exclusion[]
  /** The body's roots, being computed elsewhere (a worker) while this thread computes the state root. */
  bodyRoots?: Promise<BodyRoots>
}): Promise<BlockOutcome> {
  const { common, env, state, included } = args
  const inputs = included.map((i) => i.receipt)
  const offload = args.bodyRoots
  const stateRoot = await state.getStateRoot()
  let receipts: CommittedReceipt[]
  let rRoot: Uint8Array
  let tRoot: Uint8Array
  let bloom: Uint8Array
  if (offload !== undefined) {
    const body = await offload
    let cumulative = 0n
    receipts = inputs.map((r, k) => ({ ...r, cumulativeGasUsed: (cumulative += r.gasUsed), bloom: body.blooms[k]! }))
    rRoot = body.receiptsRoot
    tRoot = body.transactionsRoot
    bloom = body.logsBloom
  } else {
    receipts = buildReceipts(inputs, common)
    rRoot = await computeReceiptsRoot(receipts, undefined, common)
    // The bytes as received where known (a transaction read lazily is not decoded for its root).
    tRoot = await orderedTrieRoot(included.map((i) => i.raw ?? i.tx.serialize()), common)
    bloom = blockBloom(receipts)
  }
  const gasUsed = receipts.length === 0 ? 0n : receipts[receipts.length - 1]!.cumulativeGasUsed
  const { hash } = buildHeader(
    { env, stateRoot, transactionsRoot: tRoot, receiptsRoot: rRoot, logsBloom: bloom, gasUsed },
    common,
  )
  return {
    included: included.map((i, k) => withTxOf({ index: i.index, receipt: receipts[k]! }, i)),
    excluded: [...args.excluded].sort((a, b) => a.index - b.index),
    gasUsed,
    stateRoot,
    receiptsRoot: rRoot,
    transactionsRoot: tRoot,
    logsBloom: bloom,
    blockHash: hash,
  }
}
