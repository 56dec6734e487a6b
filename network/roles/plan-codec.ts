/**
 * The JSON form of a `BlockPlan` (construction -> committer). Transactions travel as raw bytes
 * with their block index and are decoded again (senders recovered) on arrival; bigints become
 * decimal strings.
 */
import type { Common } from '@ethereumjs/common'
import { createTxFromRLP } from '@ethereumjs/tx'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { envFromJson, envToJson } from '../../src/group-exec/index.js'
import type { BlockEnvJson, ChainSpec, TxResult, WorkPackage } from '../../src/group-exec/index.js'
import type { BlockPlan, Exclusion, PhaseTimes, TimelineEntry } from '../../src/pipeline/index.js'
import { WireError } from '../errors.js'
import { checkPackage, type Json } from './wire.js'

interface PlanJson {
  chain: ChainSpec
  env: BlockEnvJson
  feeRecipients: string[]
  txs: Array<{ index: number; raw: string }>
  excluded: Exclusion[]
  predictions: TxResult[]
  keep: boolean[]
  packages: WorkPackage[]
  idealSpeedup: number
  groups: number
  fallbackReason?: string
  phases: PhaseTimes
  timeline: TimelineEntry[]
}

/** BlockPlan -> JSON (for a plan message). */
export function planToJson(p: BlockPlan): Json {
  const j: PlanJson = {
    chain: p.chain,
    env: envToJson(p.env),
    feeRecipients: p.feeRecipients,
    txs: p.txs.map((t) => ({ index: t.index, raw: bytesToHex(t.raw) })),
    excluded: p.excluded,
    predictions: p.predictions,
    keep: p.keep,
    packages: p.packages,
    idealSpeedup: p.idealSpeedup,
    groups: p.groups,
    phases: p.phases,
    timeline: p.timeline,
  }
  if (p.fallbackReason !== undefined) j.fallbackReason = p.fallbackReason
  return JSON.parse(JSON.stringify(j)) as Json
}

/** JSON -> BlockPlan; transactions are decoded with `common` (NETWORK_MALFORMED on any defect). */
export function planFromJson(json: Json, common: Common): BlockPlan {
  const j = json as unknown as PlanJson
  if (
    j === null ||
    typeof j !== 'object' ||
    !Array.isArray(j.txs) ||
    !Array.isArray(j.packages) ||
    !Array.isArray(j.predictions) ||
    !Array.isArray(j.keep) ||
    !Array.isArray(j.excluded) ||
    typeof j.env !== 'object'
  ) {
    throw new WireError('NETWORK_MALFORMED', 'plan has the wrong shape')
  }
  for (const p of j.packages) checkPackage(p)
  let txs
  try {
    txs = j.txs.map((t) => {
      const raw = hexToBytes(t.raw as `0x${string}`)
      const tx = createTxFromRLP(raw, { common })
      return { index: t.index, raw, tx, fields: tx, sender: tx.getSenderAddress() }
    })
  } catch (cause) {
    throw new WireError('NETWORK_MALFORMED', 'plan carries an undecodable transaction', { cause })
  }
  const plan: BlockPlan = {
    chain: j.chain,
    env: envFromJson(j.env),
    feeRecipients: j.feeRecipients,
    txs,
    excluded: j.excluded,
    predictions: j.predictions,
    keep: j.keep,
    packages: j.packages,
    idealSpeedup: j.idealSpeedup,
    groups: j.groups,
    phases: j.phases,
    timeline: j.timeline,
  }
  if (j.fallbackReason !== undefined) plan.fallbackReason = j.fallbackReason
  return plan
}
