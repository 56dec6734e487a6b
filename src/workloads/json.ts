/**
 * The block JSON format (`paradag-block/1`) that `paradag replay` reads: a complete pre-state,
 * the block environment and the raw transactions, plus (for generated blocks) per-transaction
 * metadata, the keyed accounts and the contract addresses. All integers are 0x-hex strings,
 * all byte strings 0x-hex.
 *
 * ```json
 * {
 *   "format": "paradag-block/1",
 *   "name": "erc20",                      // generator or free text
 *   "seed": 1,                            // optional
 *   "options": { "txs": 1000, ... },      // optional, generator options
 *   "blockEnv": { "number": "0x1", "timestamp": "0x6553f100", "coinbase": "0x…",
 *                 "gasLimit": "0x1c9c380", "baseFee": "0x3b9aca00", "prevRandao": "0x…32 bytes",
 *                 "chainId": "0x385", "hardfork": "prague" },
 *   "genesis": { "0xaddr": { "balance": "0x…", "nonce": "0x…", "code": "0x…",
 *                            "storage": { "0x…slot32": "0x…minimal value" }, "storageComplete": true } },
 *   "txs": ["0x02f8…", …],                // canonical encodings (typed: type byte + RLP; legacy: RLP)
 *   "meta": [{ "kind": "erc20", "sender": "0x…", "expect": "success" },
 *            { "kind": "invalid", "sender": "0x…", "expect": "invalid", "invalid": "wrongChainId",
 *              "rejectedAt": "decode", "chainId": "0x386" }],          // optional, one per tx
 *   "accounts": [{ "address": "0x…", "privateKey": "0x…", "role": "user" }],  // optional
 *   "contracts": { "tokens": [], "pools": [{ "pair": "0x…", "token0": "0x…", "token1": "0x…" }],
 *                  "factory": "0x…", "router": "0x…", "weth": "0x…", "probe": "0x…", "destructibles": [] }  // optional
 * }
 * ```
 * `genesis` is a StateSnapshot in JSON (see src/state/snapshot.ts); generated genesis accounts
 * all have `storageComplete: true` and no `storageRoot` (roots follow from the full storage).
 */
import type { Common } from '@ethereumjs/common'
import { RLP } from '@ethereumjs/rlp'
import { createTxFromRLP, type TypedTransaction } from '@ethereumjs/tx'
import { snapshotFromJson, snapshotToJson, type StateSnapshotJson } from '../state/index.js'
import { createFastCommon } from '../crypto/index.js'
import { fromHex, toHex } from '../common/index.js'
import { blockEnvFromJson, blockEnvToJson, commonForEnv, type BlockEnvJson } from './env.js'
import { WorkloadError } from './errors.js'
import type { AccountRole, WorkloadAccount } from './keys.js'
import type { TxMeta, Workload, WorkloadContracts } from './types.js'

export const BLOCK_JSON_FORMAT = 'paradag-block/1'

/** TxMeta in JSON (chainId as hex). */
export type TxMetaJson = Omit<TxMeta, 'chainId'> & { chainId?: string }

/** The JSON form of a workload block. */
export interface WorkloadJson {
  format: typeof BLOCK_JSON_FORMAT
  name: string
  seed?: number
  options?: Record<string, string | number | boolean>
  blockEnv: BlockEnvJson
  genesis: StateSnapshotJson
  txs: string[]
  meta?: TxMetaJson[]
  accounts?: Array<{ address: string; privateKey: string; role: AccountRole }>
  contracts?: WorkloadContracts
}

/** Options of `workloadToJson`. */
export interface WorkloadToJsonOptions {
  /** Include the private keys of the accounts (default true). */
  accounts?: boolean
}

/** Converts a workload to the block JSON format (JSON.stringify-able). */
export function workloadToJson(w: Workload, opts: WorkloadToJsonOptions = {}): WorkloadJson {
  const out: WorkloadJson = {
    format: BLOCK_JSON_FORMAT,
    name: w.name,
    seed: w.seed,
    options: w.options,
    blockEnv: blockEnvToJson(w.blockEnv),
    genesis: snapshotToJson(w.genesis),
    txs: w.raw.map(toHex),
    meta: w.meta.map((m) => {
      const { chainId, ...rest } = m
      return chainId === undefined ? rest : { ...rest, chainId: `0x${chainId.toString(16)}` }
    }),
    contracts: w.contracts,
  }
  if (opts.accounts !== false) out.accounts = w.accounts.map((a) => ({ address: a.address, privateKey: toHex(a.privateKey), role: a.role }))
  return out
}

/** The chain id a raw transaction was signed for (undefined for a pre-EIP-155 legacy tx). */
export function rawTxChainId(raw: Uint8Array): bigint | undefined {
  const first = raw[0] ?? 0
  const toBig = (b: unknown): bigint => {
    if (!(b instanceof Uint8Array)) throw new Error('not bytes')
    let v = 0n
    for (const x of b) v = (v << 8n) | BigInt(x)
    return v
  }
  if (first <= 0x7f) {
    const fields = RLP.decode(raw.subarray(1)) as unknown[]
    return toBig(fields[0])
  }
  const fields = RLP.decode(raw) as unknown[]
  const v = toBig(fields[6])
  return v >= 35n ? (v - 35n) / 2n : undefined
}

/**
 * Decodes a raw transaction with the block's Common; a transaction signed for another chain
 * is decoded with that chain's Common (so it can still be listed and rejected).
 */
export function decodeWorkloadTx(raw: Uint8Array, common: Common, index: number): TypedTransaction {
  try {
    return createTxFromRLP(raw, { common })
  } catch (first) {
    let chainId: bigint | undefined
    try {
      chainId = rawTxChainId(raw)
    } catch {
      chainId = undefined
    }
    if (chainId !== undefined && chainId !== common.chainId()) {
      try {
        return createTxFromRLP(raw, { common: createFastCommon({ chainId, hardfork: common.hardfork() }) })
      } catch {
        // fall through to the original error
      }
    }
    throw new WorkloadError('WORKLOAD_TX_UNDECODABLE', `transaction ${index} cannot be decoded`, { details: { index }, cause: first })
  }
}

function bad(message: string, details: Record<string, unknown> = {}): never {
  throw new WorkloadError('WORKLOAD_BAD_JSON', message, { details })
}

/** Parses a block JSON object (already JSON.parse'd) into a Workload, decoding every transaction. */
export function workloadFromJson(input: unknown): Workload {
  if (input === null || typeof input !== 'object') bad('block JSON must be an object')
  const j = input as Partial<WorkloadJson>
  if (j.format !== BLOCK_JSON_FORMAT) bad(`unsupported format ${String(j.format)}`, { format: j.format })
  if (j.blockEnv === undefined || j.genesis === undefined || !Array.isArray(j.txs)) bad('blockEnv, genesis and txs are required')
  const blockEnv = blockEnvFromJson(j.blockEnv)
  const common = commonForEnv(blockEnv)
  const raw = j.txs.map((h, i) => {
    if (typeof h !== 'string' || !/^0x[0-9a-fA-F]*$/.test(h)) bad(`txs[${i}] is not hex`, { index: i })
    return fromHex(h)
  })
  if (j.meta !== undefined && j.meta.length !== raw.length) bad('meta must have one entry per transaction')
  const txs = raw.map((r, i) => decodeWorkloadTx(r, common, i))
  const meta: TxMeta[] =
    j.meta?.map((m) => {
      const { chainId, ...rest } = m
      return chainId === undefined ? rest : { ...rest, chainId: BigInt(chainId) }
    }) ??
    txs.map((tx) => {
      let sender = ''
      try {
        sender = tx.getSenderAddress().toString()
      } catch {
        sender = ''
      }
      return { kind: 'unknown', sender, expect: 'unknown' }
    })
  const accounts: WorkloadAccount[] = (j.accounts ?? []).map((a) => ({ address: a.address.toLowerCase(), privateKey: fromHex(a.privateKey), role: a.role }))
  return {
    name: typeof j.name === 'string' ? j.name : 'block',
    seed: typeof j.seed === 'number' ? j.seed : 0,
    options: j.options ?? {},
    genesis: snapshotFromJson(j.genesis),
    blockEnv,
    common,
    txs,
    raw,
    meta,
    accounts,
    contracts: j.contracts ?? { tokens: [], pools: [], destructibles: [] },
  }
}
