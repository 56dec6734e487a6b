/**
 * Verification of a replayed block against what the node reported: every receipt (hash, type,
 * status, gas used, cumulative gas, logs, OP deposit fields, L1 fee where reported), the header
 * field by field, the state root and the block hash. Pure: data in, a list of differences out.
 * Profile deviations are applied as explicit transformations of our side and named in the result.
 */
import { bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { type OpHeader, type OpReceipt, diffHeaders, headerHash, receiptsRoot } from '../src/chain/index.js'
import type { NodeProfileName } from './profile.js'
import type { ReplayResult } from './replayer.js'
import type { RpcBlock, RpcReceipt } from './rpc-types.js'

/** One difference: `node` is what the node reported, `ours` what re-execution produced. */
export interface FieldDiff {
  where: string
  node: string
  ours: string
}

export interface VerifyOutcome {
  diffs: FieldDiff[]
  /** Profile deviations that this block needed (each documented in profile.ts). */
  deviations: string[]
  receiptsChecked: number
  stateRootChecked: boolean
  blockHashChecked: boolean
}

const s = (v: unknown): string => (v === undefined ? '(absent)' : typeof v === 'bigint' ? v.toString() : String(v))

function headerValue(h: OpHeader, key: keyof OpHeader): string {
  const v = h[key]
  if (v === undefined) return '(absent)'
  return typeof v === 'bigint' ? v.toString() : bytesToHex(v)
}

/** Compares a replay of `block` with the node's block and receipts. */
export async function verifyBlock(profile: NodeProfileName, block: RpcBlock, nodeReceipts: readonly RpcReceipt[], ours: ReplayResult): Promise<VerifyOutcome> {
  const diffs: FieldDiff[] = []
  const deviations = new Set<string>()
  const d = (where: string, node: unknown, mine: unknown): void => {
    if (s(node) !== s(mine)) diffs.push({ where, node: s(node), ours: s(mine) })
  }
  const txs = block.transactions
  d('receipts.length', nodeReceipts.length, ours.receipts.length)
  d('transactions.length', txs.length, ours.receipts.length)
  const n = Math.min(nodeReceipts.length, ours.receipts.length, txs.length)
  let prevCum = 0n
  for (let i = 0; i < n; i++) {
    const nr = nodeReceipts[i] as RpcReceipt
    const r = ours.receipts[i] as OpReceipt
    const tx = txs[i]!
    const w = `receipt[${i}]`
    const gasUsed = r.cumulativeGasUsed - prevCum
    prevCum = r.cumulativeGasUsed
    d(`${w}.transactionHash`, nr.transactionHash, bytesToHex(keccak_256(tx.raw)))
    d(`${w}.transactionIndex`, nr.transactionIndex, i)
    d(`${w}.type`, nr.type, r.type)
    d(`${w}.status`, nr.status, r.status)
    d(`${w}.gasUsed`, nr.gasUsed, gasUsed)
    d(`${w}.cumulativeGasUsed`, nr.cumulativeGasUsed, r.cumulativeGasUsed)
    d(`${w}.logs.length`, nr.logs.length, r.logs.length)
    for (let j = 0; j < Math.min(nr.logs.length, r.logs.length); j++) {
      const [addr, topics, data] = r.logs[j]!
      const nl = nr.logs[j]!
      d(`${w}.logs[${j}].address`, nl.address, bytesToHex(addr))
      d(`${w}.logs[${j}].topics`, nl.topics.join(','), topics.map((t) => bytesToHex(t)).join(','))
      d(`${w}.logs[${j}].data`, nl.data, bytesToHex(data))
    }
    if (r.type === 0x7e) {
      let expectNonce = r.depositNonce
      if (profile === 'anvil' && expectNonce !== undefined) {
        expectNonce += 1n
        deviations.add('anvil.depositNonceAfterExecution')
      }
      d(`${w}.depositNonce`, nr.depositNonce, expectNonce)
      d(`${w}.depositReceiptVersion`, nr.depositReceiptVersion, r.depositReceiptVersion)
    } else {
      const detail = ours.details?.[i]
      if (nr.l1Fee === undefined && profile === 'anvil') deviations.add('anvil.noL1FeeFields')
      else if (detail !== undefined) {
        // Only the sequential replayer reports per-transaction fees; the state root covers both.
        d(`${w}.l1Fee`, nr.l1Fee, detail.l1Fee)
        d(`${w}.l1GasUsed`, nr.l1GasUsed, detail.l1GasUsed)
      }
      const detailAddr = detail?.createdAddress
      if (detail !== undefined && (nr.contractAddress !== undefined || detailAddr !== undefined)) d(`${w}.contractAddress`, nr.contractAddress, r.status === 1 ? detailAddr : undefined)
    }
  }

  // The header in the node's conventions.
  let header = ours.header
  if (profile === 'anvil') {
    if (header.extraData.length > 0 && block.header.extraData.length === 0) {
      header = { ...header, extraData: block.header.extraData }
      deviations.add('anvil.noHoloceneExtraData')
    }
    if (ours.receipts.some((r) => r.type === 0x7e && r.depositNonce !== undefined)) {
      const bumped = ours.receipts.map((r) => (r.type === 0x7e && r.depositNonce !== undefined ? { ...r, depositNonce: r.depositNonce + 1n } : r))
      header = { ...header, receiptsRoot: await receiptsRoot(bumped) }
    }
    if (block.number > 0n && !txs.some((t) => t.type === 0x7e)) deviations.add('anvil.noL1AttributesDeposit')
  }
  for (const field of diffHeaders(block.header, header)) {
    const key = headerKey(field)
    if (key !== undefined) diffs.push({ where: `header.${field}`, node: headerValue(block.header, key), ours: headerValue(header, key) })
  }
  d('blockHash', block.hash, bytesToHex(headerHash(header)))
  return { diffs, deviations: [...deviations], receiptsChecked: n, stateRootChecked: true, blockHashChecked: true }
}

const JSON_TO_KEY: Record<string, keyof OpHeader> = {
  parentHash: 'parentHash', sha3Uncles: 'ommersHash', miner: 'coinbase', stateRoot: 'stateRoot', transactionsRoot: 'transactionsRoot',
  receiptsRoot: 'receiptsRoot', logsBloom: 'logsBloom', difficulty: 'difficulty', number: 'number', gasLimit: 'gasLimit', gasUsed: 'gasUsed',
  timestamp: 'timestamp', extraData: 'extraData', mixHash: 'mixHash', nonce: 'nonce', baseFeePerGas: 'baseFeePerGas',
  withdrawalsRoot: 'withdrawalsRoot', blobGasUsed: 'blobGasUsed', excessBlobGas: 'excessBlobGas', parentBeaconBlockRoot: 'parentBeaconBlockRoot', requestsHash: 'requestsHash',
}

function headerKey(jsonName: string): keyof OpHeader | undefined {
  return JSON_TO_KEY[jsonName]
}

/** A readable multi-line diff for logs and the CLI. */
export function formatDiffs(number: bigint, hash: string, diffs: readonly FieldDiff[], max = 20): string {
  const lines = [`MISMATCH in block ${number} (${hash}): ${diffs.length} difference(s)`]
  for (const x of diffs.slice(0, max)) lines.push(`  ${x.where}\n    node: ${x.node}\n    ours: ${x.ours}`)
  if (diffs.length > max) lines.push(`  ... and ${diffs.length - max} more`)
  return lines.join('\n')
}
