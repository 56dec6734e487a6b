/**
 * Sequential OP block builder: a thin loop over `applyOpTransaction` on witness-backed state,
 * then roots, header and block hash. The reference result every parallel mode must equal.
 */
import type { CustomCrypto } from '@ethereumjs/common'
import { Address, bytesToHex, equalsBytes, hexToBytes } from '@ethereumjs/util'
import { WitnessBlockHashes, type WitnessStateManager, createWitnessStateManager } from '../state/index.js'
import type { PreimageMap } from '../state/index.js'
import { type OpTxResult, applyOpTransaction, toOpReceipt } from './apply-tx.js'
import { type OpBlockContext, createOpBlockContext, createOpVM } from './block-context.js'
import { EMPTY_OMMERS_HASH, EMPTY_TRIE_ROOT, L2_TO_L1_MESSAGE_PASSER_ADDRESS, SHA256_EMPTY } from './constants.js'
import { ChainError } from './errors.js'
import { HEADER_FIELDS, type OpHeader, headerHash } from './header.js'
import type { OpPayloadAttributes } from './payload.js'
import { type OpReceipt, logsBloom, receiptsRoot, transactionsRoot } from './receipts.js'
import type { RollupConfig } from './rollup-config.js'
import { applyOpSystemCalls } from './system-calls.js'
import { decodeOpTransaction } from './transactions.js'

export interface ExecuteOpBlockOptions {
  rollupConfig: RollupConfig | Record<string, unknown>
  parentHeader: OpHeader | Record<string, unknown>
  payloadAttributes: OpPayloadAttributes | Record<string, unknown>
  /** Witness entries (0x-hex preimages) or a prebuilt preimage map. */
  witness: Iterable<string | Uint8Array> | PreimageMap
  customCrypto?: CustomCrypto
}

/** The sealed block and everything needed to report on it. */
export interface OpBlockResult {
  header: OpHeader
  blockHash: Uint8Array
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  transactionsRoot: Uint8Array
  logsBloom: Uint8Array
  gasUsed: bigint
  receipts: OpReceipt[]
  results: OpTxResult[]
  context: OpBlockContext
}

/** Post-execution roots and fields that, with the context, make the header. */
export interface SealInputs {
  stateRoot: Uint8Array
  /** Storage root of L2ToL1MessagePasser after the block (Isthmus+). */
  messagePasserStorageRoot?: Uint8Array | undefined
  receipts: readonly OpReceipt[]
  results: readonly OpTxResult[]
}

/** Assembles the header from the context and the execution outcome (kona/op-geth layout). */
export async function sealOpBlock(ctx: OpBlockContext, inputs: SealInputs): Promise<Omit<OpBlockResult, 'receipts' | 'results' | 'context'>> {
  const { forks } = ctx
  // Regolith (pre-Canyon) receipts roots omit the deposit nonce (an op-geth quirk kept for consensus).
  const forRoot = forks.regolith && !forks.canyon ? inputs.receipts.map((r) => ({ ...r, depositNonce: undefined })) : inputs.receipts
  const rRoot = await receiptsRoot(forRoot)
  const tRoot = await transactionsRoot(ctx.attributes.transactions)
  const bloom = new Uint8Array(256)
  for (const r of inputs.receipts) logsBloom(r.logs, bloom)
  const last = inputs.receipts[inputs.receipts.length - 1]
  const gasUsed = last === undefined ? 0n : last.cumulativeGasUsed
  let withdrawalsRoot: Uint8Array | undefined
  if (forks.isthmus) {
    if (inputs.messagePasserStorageRoot === undefined) throw new ChainError('CHAIN_MISSING_FIELD', 'Isthmus header needs the L2ToL1MessagePasser storage root')
    withdrawalsRoot = inputs.messagePasserStorageRoot
  } else if (forks.canyon) withdrawalsRoot = hexToBytes(EMPTY_TRIE_ROOT)
  const blobGasUsed = forks.jovian ? inputs.results.reduce((s, r) => s + r.daFootprint, 0n) : 0n
  const header: OpHeader = {
    parentHash: ctx.parentHash,
    ommersHash: hexToBytes(EMPTY_OMMERS_HASH),
    coinbase: ctx.coinbase.bytes,
    stateRoot: inputs.stateRoot,
    transactionsRoot: tRoot,
    receiptsRoot: rRoot,
    logsBloom: bloom,
    difficulty: 0n,
    number: ctx.number,
    gasLimit: ctx.gasLimit,
    gasUsed,
    timestamp: ctx.timestamp,
    extraData: ctx.extraData,
    mixHash: ctx.prevRandao,
    nonce: new Uint8Array(8),
    baseFeePerGas: ctx.baseFeePerGas,
    withdrawalsRoot,
    blobGasUsed: forks.ecotone ? blobGasUsed : undefined,
    excessBlobGas: forks.ecotone ? 0n : undefined,
    parentBeaconBlockRoot: forks.ecotone ? ctx.parentBeaconBlockRoot : undefined,
    requestsHash: forks.isthmus ? hexToBytes(SHA256_EMPTY) : undefined,
  }
  return {
    header,
    blockHash: headerHash(header),
    stateRoot: inputs.stateRoot,
    receiptsRoot: rRoot,
    transactionsRoot: tRoot,
    logsBloom: bloom,
    gasUsed,
  }
}

/** Executes an OP block sequentially from its inputs and a witness. */
export async function executeOpBlock(opts: ExecuteOpBlockOptions): Promise<OpBlockResult> {
  const ctx = createOpBlockContext(opts)
  const state: WitnessStateManager = await createWitnessStateManager({
    witness: opts.witness,
    stateRoot: ctx.parentHeader.stateRoot,
    common: ctx.common,
  })
  const blockHashes = new WitnessBlockHashes(state.preimages, ctx.parentHeader.number, ctx.parentHash)
  const vm = await createOpVM(ctx, state, blockHashes)
  const txs = ctx.attributes.transactions.map((raw, index) => decodeOpTransaction(raw, { common: ctx.common, forks: ctx.forks, index }))

  // One outer checkpoint: a depth-0 commit would flush caches to the trie after every tx.
  await state.checkpoint()
  await applyOpSystemCalls(ctx, state)
  const results: OpTxResult[] = []
  const receipts: OpReceipt[] = []
  let cumulative = 0n
  for (let i = 0; i < txs.length; i++) {
    const r = await applyOpTransaction(ctx, vm, txs[i]!, { raw: ctx.attributes.transactions[i]!, index: i, blockGasUsed: cumulative })
    cumulative += r.gasUsed
    results.push(r)
    receipts.push(toOpReceipt(r, cumulative))
  }
  await state.commit()
  const stateRoot = await state.getStateRoot()
  const messagePasserStorageRoot = ctx.forks.isthmus
    ? ((await state.getAccount(new Address(hexToBytes(L2_TO_L1_MESSAGE_PASSER_ADDRESS))))?.storageRoot ?? hexToBytes(EMPTY_TRIE_ROOT))
    : undefined
  const sealed = await sealOpBlock(ctx, { stateRoot, messagePasserStorageRoot, receipts, results })
  return { ...sealed, receipts, results, context: ctx }
}

/** Names of the header fields (JSON-RPC names) whose values differ. */
export function diffHeaders(expected: OpHeader, actual: OpHeader): string[] {
  const out: string[] = []
  for (const [key, jsonName] of HEADER_FIELDS) {
    const a = expected[key]
    const b = actual[key]
    if (a === undefined && b === undefined) continue
    if (a === undefined || b === undefined) out.push(jsonName)
    else if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (a !== b) out.push(jsonName)
    } else if (!equalsBytes(a, b)) out.push(jsonName)
  }
  return out
}

/** Throws CHAIN_BLOCK_MISMATCH naming the differing header fields (when the expected header is known). */
export function assertBlockHash(result: OpBlockResult, expectedHash: Uint8Array, expectedHeader?: OpHeader): void {
  if (equalsBytes(result.blockHash, expectedHash)) return
  const fields = expectedHeader !== undefined ? diffHeaders(expectedHeader, result.header) : []
  throw new ChainError(
    'CHAIN_BLOCK_MISMATCH',
    `block hash ${bytesToHex(result.blockHash)} != expected ${bytesToHex(expectedHash)}` +
      (fields.length > 0 ? `; differing header fields: ${fields.join(', ')}` : ''),
    { details: { blockHash: bytesToHex(result.blockHash), expected: bytesToHex(expectedHash), fields } },
  )
}
