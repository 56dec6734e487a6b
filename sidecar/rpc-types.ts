/**
 * Parsers of the node's answers into typed values: blocks (with re-encoded transactions),
 * receipts, proofs, execution witnesses (both shapes in use), prestate traces. Each throws a
 * coded SidecarError naming the field; none returns anything it did not check.
 */
import { bytesToHex } from '@ethereumjs/util'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { encodeHeader, headerFromJson, type OpHeader } from '../src/chain/index.js'
import { ParadagError } from '../src/common/index.js'
import { SidecarError } from './errors.js'
import { encodeRpcTransaction } from './tx-encoding.js'
import { type Json, address, asArray, asObject, bool, data, hash32, invalid, opt, quantity, req, smallQuantity } from './validate.js'

/** A transaction of a block: its canonical encoding and identity. */
export interface RpcTransaction {
  hash: string
  type: number
  from: string
  raw: Uint8Array
}

/** A block with full transactions; `header` hashes to `hash` (checked). */
export interface RpcBlock {
  number: bigint
  hash: string
  parentHash: string
  timestamp: bigint
  header: OpHeader
  transactions: RpcTransaction[]
}

/** A header-only block (newHeads, or `eth_getBlockByNumber(n, false)`). */
export interface RpcHead {
  number: bigint
  hash: string
  parentHash: string
  timestamp: bigint
}

export interface RpcLog {
  address: string
  topics: string[]
  data: string
}

/** A receipt, with the OP fields when the node reports them. */
export interface RpcReceipt {
  transactionHash: string
  transactionIndex: number
  type: number
  status: 0 | 1
  cumulativeGasUsed: bigint
  gasUsed: bigint
  logs: RpcLog[]
  contractAddress?: string | undefined
  depositNonce?: bigint | undefined
  depositReceiptVersion?: bigint | undefined
  l1Fee?: bigint | undefined
  l1GasUsed?: bigint | undefined
  operatorFeeScalar?: bigint | undefined
}

/** `eth_getProof` answer. */
export interface RpcProof {
  address: string
  balance: bigint
  nonce: bigint
  codeHash: string
  storageHash: string
  accountProof: string[]
  storageProof: { key: string; value: bigint; proof: string[] }[]
}

/** A witness reduced to what execution needs: preimages (trie nodes, codes, RLP headers). */
export interface NormalizedWitness {
  /** 'list' (arrays of bytes, reth/alloy and geth-style) or 'map' (hash -> preimage, older reth / op-geth). */
  shape: 'list' | 'map'
  preimages: string[]
  stateNodes: number
  codes: number
  headers: number
}

/** Accounts and slots a block touched, from prestateTracer (plain mode). */
export type TouchedKeys = Map<string, Set<string>>

function wrapChain<T>(what: string, f: () => T): T {
  try {
    return f()
  } catch (cause) {
    if (cause instanceof SidecarError) throw cause
    if (cause instanceof ParadagError) {
      const code = cause.code === 'CHAIN_MISSING_FIELD' ? 'SIDECAR_RPC_MISSING_FIELD' : 'SIDECAR_RPC_INVALID_FIELD'
      throw new SidecarError(code, `${what}: ${cause.message}`, { details: { ...cause.details }, cause })
    }
    throw cause
  }
}

/** `eth_chainId`. */
export function parseChainId(v: unknown): bigint {
  return quantity(v, 'eth_chainId')
}

/** A block number answer (`eth_blockNumber`). */
export function parseBlockNumber(v: unknown): bigint {
  return quantity(v, 'eth_blockNumber')
}

/** A header-only block; null means "not found". */
export function parseHead(v: unknown, what = 'block'): RpcHead | null {
  if (v === null) return null
  const o = asObject(v, what)
  return {
    number: quantity(req(o, 'number', what), `${what}.number`),
    hash: hash32(req(o, 'hash', what), `${what}.hash`),
    parentHash: hash32(req(o, 'parentHash', what), `${what}.parentHash`),
    timestamp: quantity(req(o, 'timestamp', what), `${what}.timestamp`),
  }
}

/** `eth_getBlockByNumber(n, true)`; null means "not found". The header must hash to `hash`. */
export function parseBlock(v: unknown, what = 'block'): RpcBlock | null {
  if (v === null) return null
  const o = asObject(v, what)
  const head = parseHead(o, what) as RpcHead
  const header = wrapChain(what, () => headerFromJson(o, what))
  const computed = bytesToHex(keccak_256(encodeHeader(header)))
  if (computed !== head.hash) throw invalid(`${what}.hash`, `is ${head.hash} but the header fields hash to ${computed}`)
  const txs = asArray(req(o, 'transactions', what), `${what}.transactions`)
  const transactions = txs.map((t, i) => {
    if (typeof t === 'string') throw invalid(`${what}.transactions[${i}]`, 'is a hash; full transactions were requested')
    return encodeRpcTransaction(t, `${what}.transactions[${i}]`)
  })
  return { ...head, header, transactions }
}

function parseLog(v: unknown, what: string): RpcLog {
  const o = asObject(v, what)
  return {
    address: address(req(o, 'address', what), `${what}.address`),
    topics: asArray(req(o, 'topics', what), `${what}.topics`).map((t, i) => hash32(t, `${what}.topics[${i}]`)),
    data: bytesToHex(data(req(o, 'data', what), `${what}.data`)),
  }
}

function optQuantity(o: Json, key: string, what: string): bigint | undefined {
  const v = opt(o, key)
  return v === undefined ? undefined : quantity(v, `${what}.${key}`)
}

/** One receipt. */
export function parseReceipt(v: unknown, what = 'receipt'): RpcReceipt {
  const o = asObject(v, what)
  const status = quantity(req(o, 'status', what), `${what}.status`)
  if (status > 1n) throw invalid(`${what}.status`, `must be 0x0 or 0x1, got ${status}`)
  const ca = opt(o, 'contractAddress')
  return {
    transactionHash: hash32(req(o, 'transactionHash', what), `${what}.transactionHash`),
    transactionIndex: smallQuantity(req(o, 'transactionIndex', what), `${what}.transactionIndex`),
    type: Number(quantity(opt(o, 'type') ?? '0x0', `${what}.type`)),
    status: status === 1n ? 1 : 0,
    cumulativeGasUsed: quantity(req(o, 'cumulativeGasUsed', what), `${what}.cumulativeGasUsed`),
    gasUsed: quantity(req(o, 'gasUsed', what), `${what}.gasUsed`),
    logs: asArray(req(o, 'logs', what), `${what}.logs`).map((l, i) => parseLog(l, `${what}.logs[${i}]`)),
    contractAddress: ca === undefined ? undefined : address(ca, `${what}.contractAddress`),
    depositNonce: optQuantity(o, 'depositNonce', what),
    depositReceiptVersion: optQuantity(o, 'depositReceiptVersion', what),
    l1Fee: optQuantity(o, 'l1Fee', what),
    l1GasUsed: optQuantity(o, 'l1GasUsed', what),
    operatorFeeScalar: optQuantity(o, 'operatorFeeScalar', what),
  }
}

/** `eth_getBlockReceipts`; null means "not found". */
export function parseReceipts(v: unknown): RpcReceipt[] | null {
  if (v === null) return null
  return asArray(v, 'receipts').map((r, i) => parseReceipt(r, `receipts[${i}]`))
}

/** `eth_getTransactionReceipt`; null means "not found". */
export function parseReceiptOrNull(v: unknown): RpcReceipt | null {
  return v === null ? null : parseReceipt(v)
}

/** `eth_getProof`. */
export function parseProof(v: unknown, what = 'proof'): RpcProof {
  const o = asObject(v, what)
  const hexList = (x: unknown, w: string): string[] => asArray(x, w).map((n, i) => bytesToHex(data(n, `${w}[${i}]`)))
  return {
    address: address(req(o, 'address', what), `${what}.address`),
    balance: quantity(req(o, 'balance', what), `${what}.balance`),
    nonce: quantity(req(o, 'nonce', what), `${what}.nonce`),
    codeHash: hash32(req(o, 'codeHash', what), `${what}.codeHash`),
    storageHash: hash32(req(o, 'storageHash', what), `${what}.storageHash`),
    accountProof: hexList(req(o, 'accountProof', what), `${what}.accountProof`),
    storageProof: asArray(opt(o, 'storageProof') ?? [], `${what}.storageProof`).map((s, i) => {
      const w = `${what}.storageProof[${i}]`
      const so = asObject(s, w)
      return { key: bytesToHex(data(padKey(req(so, 'key', w)), `${w}.key`)), value: quantity(req(so, 'value', w), `${w}.value`), proof: hexList(req(so, 'proof', w), `${w}.proof`) }
    }),
  }
}

// Some nodes return storage keys as quantities (no leading zeros): pad to 32 bytes.
function padKey(k: unknown): unknown {
  if (typeof k !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(k)) return k
  return `0x${k.slice(2).padStart(64, '0')}`
}

/** `eth_getCode`. */
export function parseCode(v: unknown): Uint8Array {
  return data(v, 'code')
}

function pick(o: Json, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n]
  return undefined
}

/**
 * `debug_executionWitness` in either shape: lists of hex preimages (`{state, codes, keys,
 * headers}` as reth/alloy and geth's ExtWitness return, headers as RLP hex or as JSON header
 * objects) or maps `{hash: preimage}` (older reth / op-geth). Map entries must hash to their key.
 */
export function parseExecutionWitness(v: unknown): NormalizedWitness {
  const o = asObject(v, 'witness')
  const state = pick(o, 'state', 'State')
  if (state === undefined) throw new SidecarError('SIDECAR_RPC_MISSING_FIELD', 'witness is missing field state', { details: { field: 'witness.state' } })
  const codes = pick(o, 'codes', 'Codes') ?? []
  const keys = pick(o, 'keys', 'Keys')
  const headers = pick(o, 'headers', 'Headers') ?? []
  const preimages: string[] = []
  let shape: 'list' | 'map' = 'list'
  const take = (x: unknown, w: string): number => {
    if (Array.isArray(x)) {
      x.forEach((e, i) => preimages.push(bytesToHex(data(e, `${w}[${i}]`))))
      return x.length
    }
    const m = asObject(x, w)
    shape = 'map'
    let n = 0
    for (const [k, val] of Object.entries(m)) {
      const key = hash32(k, `${w} key`)
      const bytes = data(val, `${w}[${k}]`)
      const h = bytesToHex(keccak_256(bytes))
      if (h !== key) throw invalid(`${w}[${k}]`, `hashes to ${h}, not its key`)
      preimages.push(bytesToHex(bytes))
      n++
    }
    return n
  }
  const stateNodes = take(state, 'witness.state')
  const codeCount = take(codes, 'witness.codes')
  if (keys !== undefined && !Array.isArray(keys)) asObject(keys, 'witness.keys')
  const hs = asArray(headers, 'witness.headers')
  hs.forEach((h, i) => {
    if (typeof h === 'string') preimages.push(bytesToHex(data(h, `witness.headers[${i}]`)))
    else preimages.push(bytesToHex(encodeHeader(wrapChain(`witness.headers[${i}]`, () => headerFromJson(h, `witness.headers[${i}]`)))))
  })
  return { shape, preimages, stateNodes, codes: codeCount, headers: hs.length }
}

/** `debug_traceBlockByNumber` with prestateTracer (plain): every account and slot touched. */
export function parsePrestateTrace(v: unknown): TouchedKeys {
  const out: TouchedKeys = new Map()
  asArray(v, 'trace').forEach((entry, i) => {
    const w = `trace[${i}]`
    const e = asObject(entry, w)
    if (opt(e, 'error') !== undefined) throw new SidecarError('SIDECAR_RPC_ERROR', `${w}: the tracer failed: ${String(e['error'])}`, { details: { field: w } })
    const result = asObject(req(e, 'result', w), `${w}.result`)
    const accounts = 'pre' in result && 'post' in result ? { ...asObject(result['post'], `${w}.post`), ...asObject(result['pre'], `${w}.pre`) } : result
    for (const [addr, acct] of Object.entries(accounts)) {
      const a = address(addr, `${w} account`)
      const slots = out.get(a) ?? new Set<string>()
      out.set(a, slots)
      const ao = asObject(acct, `${w}[${addr}]`)
      const storage = opt(ao, 'storage')
      if (storage !== undefined) for (const k of Object.keys(asObject(storage, `${w}[${addr}].storage`))) slots.add(bytesToHex(data(padKey(k), `${w}[${addr}].storage key`, 32)))
    }
  })
  return out
}

/** `optimism_rollupConfig` (op-node): returned as the raw JSON object for `parseRollupConfig`. */
export function parseRollupConfigAnswer(v: unknown): Record<string, unknown> {
  return asObject(v, 'rollupConfig')
}

export { bool }
