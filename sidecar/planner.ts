/**
 * `paradag_planBatch`: given raw transactions and a parent block, trace each transaction against
 * the parent state (fetched from the node) with the OP fee rules, build the conflict DAG and
 * partition it, and say what could run in parallel. Policy `serialize` keeps every transaction
 * (conflicting ones are ordered in one group); `defer` keeps only transactions that depend on
 * no earlier one and moves the rest to the next batch, as a Solana-style scheduler would.
 */
import { bytesToHex } from '@ethereumjs/util'
import {
  BASE_FEE_VAULT,
  L1_FEE_VAULT,
  OPERATOR_FEE_VAULT,
  createOpBlockContext,
  createOpRunTx,
  createOpVM,
  decodeOpTransaction,
  isDepositTx,
  loadL1BlockInfo,
} from '../src/chain/index.js'
import { fastCustomCrypto } from '../src/crypto/index.js'
import { buildDag, compactFromAccessSets, dagMetrics, edgeKeys, edgeKindName } from '../src/dag/index.js'
import { partition } from '../src/partition/index.js'
import { MapStateManager } from '../src/state/index.js'
import { type AccessSet, TracingStateManager, accessSetToJson, traceTransaction } from '../src/state-verification/index.js'
import { PLAN_MAX_TXS } from './constants.js'
import { SidecarError } from './errors.js'
import type { NodeApi } from './node-api.js'
import { type NodeProfileName, anvilRollupConfig } from './profile.js'
import { createRpcStateReader } from './rpc-state.js'
import { data } from './validate.js'

export const PLAN_POLICIES = ['serialize', 'defer'] as const
export type PlanPolicy = (typeof PLAN_POLICIES)[number]

export interface PlanOptions {
  policy?: PlanPolicy
  groups?: number
  /** Seconds between the parent and the planned block (default 2, the OP block time). */
  blockTime?: number
}

export interface PlanDeps {
  api: NodeApi
  profile: NodeProfileName
  chainId: bigint
  rollupConfig?: Record<string, unknown> | undefined
}

/** The answer of paradag_planBatch (JSON-safe). */
export interface BatchPlan {
  parentBlock: string
  parentHash: string
  policy: PlanPolicy
  txs: { index: number; hash: string; status: number | null; gasUsed: string; error?: string | undefined; accessSet: ReturnType<typeof accessSetToJson> }[]
  edges: { from: number; to: number; kinds: string[]; keys: string[] }[]
  groups: { index: number; txs: number[]; gas: number }[]
  /** Indices kept in this batch (all for serialize) and moved to the next batch (defer). */
  batch: number[]
  deferred: number[]
  estimatedSpeedup: { ideal: number; groups: number; criticalPathGas: number; totalGas: number }
}

const VAULTS = [BASE_FEE_VAULT, L1_FEE_VAULT, OPERATOR_FEE_VAULT]

function parseRawTxs(v: unknown): Uint8Array[] {
  if (!Array.isArray(v)) throw new SidecarError('SIDECAR_BAD_REQUEST', 'rawTxs must be an array of 0x-hex strings')
  if (v.length > PLAN_MAX_TXS) throw new SidecarError('SIDECAR_BAD_REQUEST', `at most ${PLAN_MAX_TXS} transactions per batch`)
  return v.map((t, i) => {
    try {
      return data(t, `rawTxs[${i}]`)
    } catch (cause) {
      throw new SidecarError('SIDECAR_BAD_REQUEST', `rawTxs[${i}] is not 0x-hex data`, { cause, details: { index: i } })
    }
  })
}

/** Parses the JSON-RPC params of paradag_planBatch. */
export function parsePlanParams(params: unknown): { raws: Uint8Array[]; parent: bigint | 'latest'; options: PlanOptions } {
  if (!Array.isArray(params) || params.length < 1) throw new SidecarError('SIDECAR_BAD_REQUEST', 'params: [rawTxs, parentBlock?, options?]')
  const raws = parseRawTxs(params[0])
  const p = params[1] ?? 'latest'
  let parent: bigint | 'latest'
  if (p === 'latest') parent = 'latest'
  else if (typeof p === 'number' && Number.isSafeInteger(p) && p >= 0) parent = BigInt(p)
  else if (typeof p === 'string' && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(p)) parent = BigInt(p)
  else throw new SidecarError('SIDECAR_BAD_REQUEST', 'parentBlock must be a block number or "latest"')
  const o = (params[2] ?? {}) as Record<string, unknown>
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new SidecarError('SIDECAR_BAD_REQUEST', 'options must be an object')
  const policy = o['policy'] ?? 'serialize'
  if (!PLAN_POLICIES.includes(policy as PlanPolicy)) throw new SidecarError('SIDECAR_BAD_REQUEST', `options.policy must be one of ${PLAN_POLICIES.join(', ')}`)
  const groups = o['groups']
  if (groups !== undefined && !(typeof groups === 'number' && Number.isInteger(groups) && groups >= 1 && groups <= 256)) {
    throw new SidecarError('SIDECAR_BAD_REQUEST', 'options.groups must be an integer in 1..256')
  }
  return { raws, parent, options: { policy: policy as PlanPolicy, ...(groups !== undefined ? { groups: groups as number } : {}) } }
}

/** Plans a batch of raw transactions on top of `parent`. */
export async function planBatch(deps: PlanDeps, raws: readonly Uint8Array[], parentRef: bigint | 'latest', options: PlanOptions = {}, signal?: AbortSignal): Promise<BatchPlan> {
  const parentNumber = parentRef === 'latest' ? await deps.api.blockNumber({ signal }) : parentRef
  const parent = await deps.api.block(parentNumber, { signal })
  const h = parent.header
  const timestamp = parent.timestamp + BigInt(options.blockTime ?? 2)
  const rollupConfig = deps.profile === 'anvil' ? anvilRollupConfig(deps.chainId, timestamp) : deps.rollupConfig
  if (rollupConfig === undefined) throw new SidecarError('SIDECAR_CONFIG_INVALID', 'planning needs the rollup config (--rollup-config)')
  const holoceneParams = deps.profile === 'anvil' || h.extraData.length < 9 ? new Uint8Array(8) : h.extraData.subarray(1, 9)
  const customCrypto = fastCustomCrypto()
  let ctx
  try {
    ctx = createOpBlockContext({
      rollupConfig,
      parentHeader: h,
      payloadAttributes: {
        timestamp,
        prevRandao: h.mixHash,
        suggestedFeeRecipient: h.coinbase,
        parentBeaconBlockRoot: h.parentBeaconBlockRoot ?? new Uint8Array(32),
        transactions: [...raws],
        gasLimit: h.gasLimit,
        eip1559Params: holoceneParams,
        minBaseFee: h.extraData.length === 17 ? BigInt(bytesToHex(h.extraData.subarray(9, 17))) : 0n,
      },
      customCrypto,
    })
  } catch (cause) {
    throw new SidecarError('SIDECAR_BAD_REQUEST', `cannot build the next block's context: ${(cause as Error).message}`, { cause })
  }
  const base = new MapStateManager({ fallback: createRpcStateReader(deps.api, parentNumber, signal) })
  await loadL1BlockInfo(ctx, base)
  const tracing = new TracingStateManager(base, { feeRecipients: VAULTS })
  const vm = await createOpVM(ctx, tracing)
  const runTx = createOpRunTx(ctx)
  const accessSets: AccessSet[] = []
  const gas: bigint[] = []
  const txs: BatchPlan['txs'] = []
  for (let i = 0; i < raws.length; i++) {
    let tx
    try {
      tx = decodeOpTransaction(raws[i]!, { common: ctx.common, forks: ctx.forks, index: i })
    } catch (cause) {
      throw new SidecarError('SIDECAR_BAD_REQUEST', `rawTxs[${i}] does not decode: ${(cause as Error).message}`, { cause, details: { index: i } })
    }
    if (isDepositTx(tx)) throw new SidecarError('SIDECAR_BAD_REQUEST', `rawTxs[${i}] is a deposit: deposits always run first and are not planned`, { details: { index: i } })
    const trace = await traceTransaction(vm, tx, { block: ctx.block, feeRecipients: VAULTS, isolate: true, runTx })
    const o = trace.outcome
    accessSets.push(trace.accessSet)
    gas.push(o.included ? o.gasUsed : 0n)
    txs.push({
      index: i,
      hash: bytesToHex(tx.hash()),
      status: o.included ? o.status : null,
      gasUsed: (o.included ? o.gasUsed : 0n).toString(),
      error: o.included ? o.error : o.message,
      accessSet: accessSetToJson(trace.accessSet),
    })
  }
  const { accesses, interner } = compactFromAccessSets(accessSets, gas)
  const dag = buildDag(accesses)
  const metrics = dagMetrics(dag)
  const part = partition(dag, { groups: options.groups ?? 4 })
  const edges: BatchPlan['edges'] = []
  for (let e = 0; e < dag.edgeCount; e++) {
    const k = dag.edgeKinds[e] as number
    edges.push({
      from: dag.edgeFrom[e] as number,
      to: dag.edgeTo[e] as number,
      kinds: edgeKindName(k).split('|'),
      keys: edgeKeys(dag, e).map((id) => interner.name(id)),
    })
  }
  const policy = options.policy ?? 'serialize'
  const batch: number[] = []
  const deferred: number[] = []
  for (let j = 0; j < raws.length; j++) {
    const hasPred = (dag.inOffsets[j + 1] as number) > (dag.inOffsets[j] as number)
    if (policy === 'defer' && hasPred) deferred.push(j)
    else batch.push(j)
  }
  let groups = part.groups.map((g) => ({ index: g.index, txs: [...g.txs], gas: g.gas }))
  let groupSpeedup = part.idealSpeedup
  if (policy === 'defer') {
    const kept = new Set(batch)
    groups = groups.map((g) => ({ ...g, txs: g.txs.filter((t) => kept.has(t)) })).map((g) => ({ ...g, gas: g.txs.reduce((s, t) => s + Number(gas[t]), 0) }))
    const total = groups.reduce((s, g) => s + g.gas, 0)
    const max = Math.max(0, ...groups.map((g) => g.gas))
    groupSpeedup = max === 0 ? 1 : total / max
  }
  return {
    parentBlock: parentNumber.toString(),
    parentHash: parent.hash,
    policy,
    txs,
    edges,
    groups,
    batch,
    deferred,
    estimatedSpeedup: { ideal: metrics.parallelism, groups: groupSpeedup, criticalPathGas: metrics.criticalPathGas, totalGas: metrics.totalGas },
  }
}

