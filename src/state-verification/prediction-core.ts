/**
 * Speculative prediction of a batch: every transaction traced independently against the same
 * parent state. Shared by the in-process path and the prediction workers, so both give the same
 * results by construction.
 */
import { type Block, createBlock } from '@ethereumjs/block'
import type { Common } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { createAddressFromString, hexToBytes } from '@ethereumjs/util'
import { createVM } from '@ethereumjs/vm'
import { type SerializedError, serializeError } from '../common/errors.js'
import { commonForVM, createFastCommon } from '../crypto/index.js'
import { MapStateManager, type StateSnapshotJson, snapshotFromJson } from '../state/index.js'
import { type AccessSetJson, type AccessSource, accessSetToJson } from './access-set.js'
import { StateVerificationError } from './errors.js'
import { predictAccessSet } from './static-rules.js'
import { logToJson } from './trace-tx.js'
import { TracingStateManager } from './tracing-state.js'

/** Block environment in JSON form (decimal or 0x strings for numbers). */
export interface PredictionEnv {
  chainId: string
  hardfork: string
  number: string
  timestamp: string
  coinbase: string
  gasLimit: string
  baseFeePerGas?: string
  /** 32-byte hex (the header's mixHash after the merge). */
  prevRandao?: string
}

/** One batch to predict. */
export interface PredictBatchInput {
  /** Parent state (the slice the txs may touch; anything missing reads as absent). */
  parent: StateSnapshotJson
  /** Identifies the parent so workers can keep it between batches. */
  parentId?: string
  env: PredictionEnv
  /** Raw transactions (canonical encoding, 0x-hex) with their index in the block. */
  txs: Array<{ index: number; raw: string }>
  feeRecipients?: string[]
  /** Skip static rules (trace everything). */
  noStatic?: boolean
}

/** Outcome of a predicted transaction in JSON form. */
export type PredictedOutcomeJson =
  | { included: true; status: 0 | 1; gasUsed: string; logs: Array<[string, string[], string]>; error?: string; createdAddress?: string }
  | { included: false; reason: string; message: string }

/** The prediction of one transaction. */
export interface PredictedTx {
  index: number
  accessSet: AccessSetJson
  source: AccessSource
  /** Gas estimate (decimal string): exact when traced. */
  gas: string
  outcome?: PredictedOutcomeJson
  /** Set when the tx could not be decoded or predicted; `accessSet` is then empty. */
  error?: SerializedError
}

/** Builds the Common and block of a prediction environment. */
export function envBlock(env: PredictionEnv, common?: Common): { common: Common; block: Block } {
  const c = common ?? createFastCommon({ chainId: BigInt(env.chainId), hardfork: env.hardfork })
  const header: Record<string, unknown> = {
    number: BigInt(env.number),
    timestamp: BigInt(env.timestamp),
    coinbase: createAddressFromString(env.coinbase),
    gasLimit: BigInt(env.gasLimit),
    mixHash: env.prevRandao !== undefined ? hexToBytes(env.prevRandao as `0x${string}`) : new Uint8Array(32),
  }
  if (env.baseFeePerGas !== undefined) header.baseFeePerGas = BigInt(env.baseFeePerGas)
  return { common: c, block: createBlock({ header }, { common: c }) }
}

const EMPTY_JSON: AccessSetJson = { reads: [], writes: [], credits: {} }

/** A reusable predictor: keeps the parsed parent state and VM between batches with the same parent. */
export class BatchPredictor {
  private parentId: string | undefined
  private state: MapStateManager | undefined
  private commons = new Map<string, Common>()

  /** Predicts every tx of the batch against the parent (each in isolation). */
  async predict(input: PredictBatchInput): Promise<PredictedTx[]> {
    const key = `${input.env.chainId}:${input.env.hardfork}`
    let common = this.commons.get(key)
    const built = envBlock(input.env, common)
    common = built.common
    this.commons.set(key, common)
    if (this.state === undefined || input.parentId === undefined || input.parentId !== this.parentId) {
      const keccak = common.customCrypto.keccak256
      this.state = new MapStateManager({ snapshot: snapshotFromJson(input.parent), ...(keccak !== undefined ? { keccak256: keccak } : {}) })
      this.parentId = input.parentId
    }
    const tracer = new TracingStateManager(this.state, { feeRecipients: input.feeRecipients ?? [] })
    const vm = await createVM({ common: commonForVM(common), stateManager: tracer })
    const out: PredictedTx[] = []
    for (const { index, raw } of input.txs) {
      let tx
      try {
        tx = createTxFromRLP(hexToBytes(raw as `0x${string}`), { common })
      } catch (e) {
        const err = new StateVerificationError('SV_TX_DECODE', `transaction ${index} cannot be decoded`, { details: { index }, cause: e })
        out.push({ index, accessSet: EMPTY_JSON, source: 'traced', gas: '0', error: serializeError(err) })
        continue
      }
      try {
        const p = await predictAccessSet(tx, {
          vm,
          block: built.block,
          ...(input.feeRecipients !== undefined ? { feeRecipients: input.feeRecipients } : {}),
          ...(input.noStatic === true ? { noStatic: true } : {}),
        })
        const r: PredictedTx = { index, accessSet: accessSetToJson(p.accessSet), source: p.source, gas: p.gas.toString() }
        if (p.outcome !== undefined) r.outcome = outcomeToJson(p.outcome)
        out.push(r)
      } catch (e) {
        const err = new StateVerificationError('SV_WORKER_FAILED', `prediction of transaction ${index} failed`, { details: { index }, cause: e })
        out.push({ index, accessSet: EMPTY_JSON, source: 'traced', gas: '0', error: serializeError(err) })
      }
    }
    return out
  }
}

function outcomeToJson(o: import('./trace-tx.js').TxOutcome): PredictedOutcomeJson {
  if (!o.included) return { included: false, reason: o.reason, message: o.message }
  const j: PredictedOutcomeJson = { included: true, status: o.status, gasUsed: o.gasUsed.toString(), logs: o.logs.map(logToJson) }
  if (o.error !== undefined) j.error = o.error
  if (o.createdAddress !== undefined) j.createdAddress = o.createdAddress
  return j
}

/** Predicts a batch in this thread (the reference for the worker pool). */
export async function predictBatch(input: PredictBatchInput): Promise<PredictedTx[]> {
  return new BatchPredictor().predict(input)
}
