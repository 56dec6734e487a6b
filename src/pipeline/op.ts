/**
 * OP-stack blocks through the parallel pipeline: system calls and the leading deposits run
 * first, in order (they write the L1Block parameters every other transaction reads); then the
 * regular transactions are planned, executed in groups and committed by `commitBlock` with the
 * OP fee rules (L1 data fee, operator fee, vault credits as commutative credits); the block is
 * sealed with the OP header rules. The result equals `executeOpBlock` (sequential) bit for bit.
 */
import type { Common } from '@ethereumjs/common'
import { Address, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { buildReceipts, type BlockEnv } from '../batch-committer/block.js'
import {
  BASE_FEE_VAULT,
  ChainError,
  EMPTY_TRIE_ROOT,
  L1_FEE_VAULT,
  L2_TO_L1_MESSAGE_PASSER_ADDRESS,
  OPERATOR_FEE_VAULT,
  applyOpSystemCalls,
  applyOpTransaction,
  createOpBlockContext,
  createOpVM,
  daFootprint,
  decodeOpTransaction,
  isDepositEncoding,
  loadL1BlockInfo,
  sealOpBlock,
  toOpReceipt,
  type OpHeader,
  type OpReceipt,
  type OpTxResult,
} from '../chain/index.js'
import { fastCustomCrypto } from '../crypto/index.js'
import { ancestorHeadersOf, l1InfoToJson, type GroupResult, type OpChainSpec } from '../group-exec/index.js'
import { WitnessBlockHashes, createWitnessStateManager, stateManagerReader } from '../state/index.js'
import { commitBlock, planBlock, type ParallelReport, type PipelineExecutor } from './parallel.js'
import { withTxOf, type BlockOutcome } from './sequential.js'

export interface OpParallelOptions {
  rollupConfig: Record<string, unknown>
  parentHeader: Record<string, unknown>
  payloadAttributes: Record<string, unknown>
  /** Witness preimages (0x-hex). */
  witness: readonly string[]
  executor: PipelineExecutor
  groups?: number
  /** Run the regular transactions through the traced sequential tail instead of groups. */
  sequential?: boolean
  /** Disable the small-block fallback (tests). */
  forceParallel?: boolean
}

/** The sealed OP block plus what the parallel part did. */
export interface OpParallelResult {
  header: OpHeader
  blockHash: Uint8Array
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  transactionsRoot: Uint8Array
  gasUsed: bigint
  receipts: OpReceipt[]
  txs: number
  deposits: number
  report: ParallelReport
}

/** Executes an OP-stack block with the regular transactions in parallel. */
export async function executeOpBlockParallel(opts: OpParallelOptions): Promise<OpParallelResult> {
  const ctx = createOpBlockContext({ rollupConfig: opts.rollupConfig, parentHeader: opts.parentHeader, payloadAttributes: opts.payloadAttributes, customCrypto: fastCustomCrypto() })
  const common: Common = ctx.common
  const state = await createWitnessStateManager({ witness: opts.witness, stateRoot: ctx.parentHeader.stateRoot, common })
  const hashes = new WitnessBlockHashes(state.preimages, ctx.parentHeader.number, ctx.parentHash)
  const vm = await createOpVM(ctx, state, hashes)
  const raws = ctx.attributes.transactions

  await state.checkpoint()
  await applyOpSystemCalls(ctx, state)
  // Deposits lead the block; they run in order before anything else reads L1Block.
  const results: OpTxResult[] = []
  const receipts: OpReceipt[] = []
  let cumulative = 0n
  let k = 0
  while (k < raws.length && isDepositEncoding(raws[k]!)) {
    const tx = decodeOpTransaction(raws[k]!, { common, forks: ctx.forks, index: k })
    const r = await applyOpTransaction(ctx, vm, tx, { raw: raws[k]!, index: k, blockGasUsed: cumulative })
    cumulative += r.gasUsed
    results.push(r)
    receipts.push(toOpReceipt(r, cumulative))
    k++
  }
  for (let i = k; i < raws.length; i++) {
    if (isDepositEncoding(raws[i]!)) throw new ChainError('CHAIN_INVALID_FIELD', `deposit transaction ${i} follows a regular transaction`, { details: { index: i } })
  }
  const info = await loadL1BlockInfo(ctx, state)
  ctx.l1Info = info
  const depositCount = k
  const depositGas = cumulative
  const rest = raws.slice(k)

  const chain: OpChainSpec = {
    kind: 'op',
    rollupConfig: opts.rollupConfig,
    parentHeader: opts.parentHeader,
    payloadAttributes: { ...opts.payloadAttributes, transactions: [] },
    l1Info: l1InfoToJson(info),
    ancestorHeaders: ancestorHeadersOf(opts.witness),
  }
  const env: BlockEnv = {
    chainId: common.chainId(),
    hardfork: common.hardfork(),
    number: ctx.number,
    timestamp: ctx.timestamp,
    coinbase: ctx.coinbase.toString(),
    // The regular transactions share what the deposits left of the block gas pool.
    gasLimit: ctx.gasLimit - depositGas,
    baseFeePerGas: ctx.baseFeePerGas,
    prevRandao: bytesToHex(ctx.prevRandao),
    parentHash: bytesToHex(ctx.parentHash),
  }
  const feeRecipients = [BASE_FEE_VAULT, L1_FEE_VAULT, OPERATOR_FEE_VAULT]
  const plan = await planBlock({
    common,
    chain,
    env,
    state,
    raws: rest,
    executor: opts.executor,
    sliceMode: 'full',
    feeRecipients,
    systemWritesApplied: true,
    ...(opts.groups !== undefined ? { groups: opts.groups } : {}),
    ...(opts.sequential === true ? { sequential: true } : {}),
    ...(opts.forceParallel === true ? { forceParallel: true } : {}),
  })
  const reader = stateManagerReader(state)
  const groupResults: GroupResult[] = await Promise.all(plan.packages.map((pkg) => opts.executor.execute(pkg, { fallback: reader })))

  let sealed: Awaited<ReturnType<typeof sealOpBlock>> | undefined
  const report = await commitBlock({
    common,
    plan,
    results: groupResults,
    state,
    systemWritesApplied: true,
    seal: async ({ included, excluded }): Promise<BlockOutcome> => {
      if (excluded.length > 0) {
        const e = excluded[0]!
        throw new ChainError('CHAIN_TX_INVALID', `transaction ${depositCount + e.index} is invalid (${e.code}): an OP block cannot include it`, {
          details: { index: depositCount + e.index, code: e.code, reason: e.reason },
        })
      }
      let cum = depositGas
      for (const inc of included) {
        cum += inc.receipt.gasUsed
        const raw = rest[inc.index]!
        receipts.push({ type: inc.receipt.txType, status: inc.receipt.status, cumulativeGasUsed: cum, logs: inc.receipt.logs, depositNonce: undefined, depositReceiptVersion: undefined })
        results.push({ daFootprint: daFootprint(info, ctx.forks, raw) } as OpTxResult)
      }
      await state.commit()
      const stateRoot = await state.getStateRoot()
      const messagePasserStorageRoot = ctx.forks.isthmus
        ? ((await state.getAccount(new Address(hexToBytes(L2_TO_L1_MESSAGE_PASSER_ADDRESS))))?.storageRoot ?? hexToBytes(EMPTY_TRIE_ROOT))
        : undefined
      sealed = await sealOpBlock(ctx, { stateRoot, messagePasserStorageRoot, receipts, results })
      const committed = buildReceipts(included.map((i) => i.receipt), common)
      return {
        included: included.map((i, n) => withTxOf({ index: i.index, receipt: committed[n]! }, i)),
        excluded,
        gasUsed: sealed.gasUsed,
        stateRoot: sealed.stateRoot,
        receiptsRoot: sealed.receiptsRoot,
        transactionsRoot: sealed.transactionsRoot,
        logsBloom: sealed.logsBloom,
        blockHash: sealed.blockHash,
      }
    },
  })
  const s = sealed!
  return {
    header: s.header,
    blockHash: s.blockHash,
    stateRoot: s.stateRoot,
    receiptsRoot: s.receiptsRoot,
    transactionsRoot: s.transactionsRoot,
    gasUsed: s.gasUsed,
    receipts,
    txs: raws.length,
    deposits: depositCount,
    report,
  }
}
