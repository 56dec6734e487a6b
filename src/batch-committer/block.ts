/**
 * Block assembly from committed, canonically ordered transaction outcomes: receipts with
 * cumulative gas, logs bloom, transactions and receipts roots, header and block hash
 * (Ethereum Cancun/Prague header rules; OP-stack header rules live in src/chain).
 */
import { createBlockHeader, type BlockHeader, type HeaderData } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { orderedTrieRoot as buildOrderedTrieRoot } from '../state/trie/batch-update.js'
import { RLP } from '@ethereumjs/rlp'
import type { TypedTransaction } from '@ethereumjs/tx'
import type { Log } from '@ethereumjs/evm'
import { KECCAK256_RLP, bigIntToBytes, bytesToHex, hexToBytes } from '@ethereumjs/util'
import { bloomOfLogs, encodeRlp } from '../common/index.js'
import { sha256 } from '@noble/hashes/sha2.js'

/** The per-transaction facts a receipt is made of. */
export interface ReceiptInput {
  txType: number
  status: 0 | 1
  gasUsed: bigint
  logs: Log[]
}

/** A receipt as committed: with cumulative gas and its own bloom. */
export interface CommittedReceipt extends ReceiptInput {
  cumulativeGasUsed: bigint
  bloom: Uint8Array
}

/** Computes cumulative gas and blooms in canonical order. */
export function buildReceipts(inputs: readonly ReceiptInput[], common?: Common): CommittedReceipt[] {
  const keccak = common?.customCrypto.keccak256 ?? keccak_256
  let cumulative = 0n
  return inputs.map((r) => {
    cumulative += r.gasUsed
    return { ...r, cumulativeGasUsed: cumulative, bloom: bloomOfLogs(r.logs, keccak) }
  })
}

/** The block bloom: OR of every receipt's bloom. */
export function blockBloom(receipts: readonly CommittedReceipt[]): Uint8Array {
  const out = new Uint8Array(256)
  for (const r of receipts) for (let i = 0; i < 256; i++) out[i]! |= r.bloom[i]!
  return out
}

/**
 * EIP-2718 encoding of a receipt for the receipts trie: the bytes of ethereumjs' `encodeReceipt`
 * (status 1 as 0x01 and 0 as empty, cumulative gas as `bigIntToBytes`, the bloom, the logs;
 * the type byte first unless legacy), written in one buffer.
 */
export function encodeCommittedReceipt(r: CommittedReceipt): Uint8Array {
  return encodeRlp([r.status === 0 ? STATUS_FAILED : STATUS_OK, bigIntToBytes(r.cumulativeGasUsed), r.bloom, r.logs], r.txType === 0 ? undefined : r.txType)
}

const STATUS_OK = Uint8Array.of(1)
const STATUS_FAILED = new Uint8Array(0)

/** Root of an ordered trie keyed by rlp(index). */
export async function orderedTrieRoot(values: readonly Uint8Array[], common?: Common): Promise<Uint8Array> {
  return buildOrderedTrieRoot(values, common?.customCrypto.keccak256 ?? keccak_256)
}

/** Receipts root of committed receipts (`encode` overrides the per-receipt encoding, e.g. OP deposits). */
export async function receiptsRoot(
  receipts: readonly CommittedReceipt[],
  encode: (r: CommittedReceipt, i: number) => Uint8Array = encodeCommittedReceipt,
  common?: Common,
): Promise<Uint8Array> {
  return orderedTrieRoot(receipts.map(encode), common)
}

/** Environment of the block being built (JSON-friendly where possible). */
export interface BlockEnv {
  chainId: bigint
  hardfork: string
  number: bigint
  timestamp: bigint
  coinbase: string
  gasLimit: bigint
  baseFeePerGas: bigint
  prevRandao: string
  parentHash: string
  parentBeaconBlockRoot?: string
  excessBlobGas?: bigint
  extraData?: string
}

export interface HeaderInput {
  env: BlockEnv
  stateRoot: Uint8Array
  transactionsRoot: Uint8Array
  receiptsRoot: Uint8Array
  logsBloom: Uint8Array
  gasUsed: bigint
  /** Withdrawals root; default the empty trie root (no withdrawals). */
  withdrawalsRoot?: Uint8Array
  requestsHash?: Uint8Array
}

/** Builds the header (Shanghai+ fields as the hardfork activates them) and returns it with its hash. */
export function buildHeader(input: HeaderInput, common: Common): { header: BlockHeader; hash: Uint8Array } {
  const { env } = input
  const data: HeaderData = {
    parentHash: hexToBytes(env.parentHash as `0x${string}`),
    coinbase: hexToBytes(env.coinbase as `0x${string}`),
    stateRoot: input.stateRoot,
    transactionsTrie: input.transactionsRoot,
    receiptTrie: input.receiptsRoot,
    logsBloom: input.logsBloom,
    difficulty: 0n,
    number: env.number,
    gasLimit: env.gasLimit,
    gasUsed: input.gasUsed,
    timestamp: env.timestamp,
    extraData: env.extraData === undefined ? new Uint8Array() : hexToBytes(env.extraData as `0x${string}`),
    mixHash: hexToBytes(env.prevRandao as `0x${string}`),
    nonce: new Uint8Array(8),
    baseFeePerGas: env.baseFeePerGas,
  }
  if (common.isActivatedEIP(4895)) data.withdrawalsRoot = input.withdrawalsRoot ?? KECCAK256_RLP
  if (common.isActivatedEIP(4844)) {
    data.blobGasUsed = 0n
    data.excessBlobGas = env.excessBlobGas ?? 0n
  }
  if (common.isActivatedEIP(4788)) {
    data.parentBeaconBlockRoot =
      env.parentBeaconBlockRoot === undefined ? new Uint8Array(32) : hexToBytes(env.parentBeaconBlockRoot as `0x${string}`)
  }
  if (common.isActivatedEIP(7685)) data.requestsHash = input.requestsHash ?? sha256(new Uint8Array())
  const header = createBlockHeader(data, { common, skipConsensusFormatValidation: true })
  return { header, hash: header.hash() }
}

/** The block body's roots: what the receipts and transactions tries and the blooms give. */
export interface BodyRoots {
  /** Each receipt's bloom, in order. */
  blooms: Uint8Array[]
  receiptsRoot: Uint8Array
  transactionsRoot: Uint8Array
  logsBloom: Uint8Array
}

/** Transactions root of the included transactions. */
export async function transactionsRoot(txs: readonly TypedTransaction[], common?: Common, raws?: readonly (Uint8Array | undefined)[]): Promise<Uint8Array> {
  return orderedTrieRoot(
    txs.map((tx, i) => raws?.[i] ?? tx.serialize()),
    common,
  )
}

export { bytesToHex }

/**
 * A consecutive run of a block's receipts, encoded for the receipts trie: what one thread
 * computes so that several can share the receipts' roots (`receiptsPiece`, then `piecesRoot`).
 * Packed into a few buffers, so that a piece crosses threads as one copy each.
 */
export interface ReceiptsPiece {
  /** Each receipt's bloom, 256 bytes each, in order. */
  blooms: Uint8Array
  /** The receipts' trie encodings, back to back; `ends[k]` is where receipt k's ends. */
  encoded: Uint8Array
  ends: Uint32Array
  /** OR of the piece's blooms. */
  logsBloom: Uint8Array
}

/** Encodes `inputs`, which follow receipts whose gas sums to `cumulativeBefore`. */
export function receiptsPiece(inputs: readonly ReceiptInput[], cumulativeBefore: bigint, common?: Common): ReceiptsPiece {
  const keccak = common?.customCrypto.keccak256 ?? keccak_256
  const blooms = new Uint8Array(inputs.length * 256)
  const encodings: Uint8Array[] = new Array(inputs.length)
  const ends = new Uint32Array(inputs.length)
  const logsBloom = new Uint8Array(256)
  let cumulative = cumulativeBefore
  let size = 0
  for (let k = 0; k < inputs.length; k++) {
    const r = inputs[k]!
    cumulative += r.gasUsed
    const bloom = bloomOfLogs(r.logs, keccak, blooms.subarray(k * 256, (k + 1) * 256))
    for (let i = 0; i < 256; i++) logsBloom[i]! |= bloom[i]!
    const e = encodeCommittedReceipt({ ...r, cumulativeGasUsed: cumulative, bloom })
    encodings[k] = e
    size += e.length
    ends[k] = size
  }
  const encoded = new Uint8Array(size)
  for (let k = 0, at = 0; k < encodings.length; at = ends[k]!, k++) encoded.set(encodings[k]!, at)
  return { blooms, encoded, ends, logsBloom }
}

/** The receipts root of a block's receipts given as consecutive pieces, in order. */
export async function piecesRoot(pieces: readonly Pick<ReceiptsPiece, 'encoded' | 'ends'>[], common?: Common): Promise<Uint8Array> {
  const values: Uint8Array[] = []
  for (const p of pieces) for (let k = 0, at = 0; k < p.ends.length; at = p.ends[k]!, k++) values.push(p.encoded.subarray(at, p.ends[k]!))
  return orderedTrieRoot(values, common)
}
