/**
 * One block, end to end: fetch the block and its receipts, the parent header, the witness;
 * rebuild the payload attributes; replay; verify. Always returns a report — a failure to fetch
 * or to execute becomes status `unverifiable` with its code, never `verified`.
 */
import { bytesToHex } from '@ethereumjs/util'
import { type OpHeader, encodeHeader, headerToJson } from '../src/chain/index.js'
import { ParadagError } from '../src/common/index.js'
import type { NodeApi } from './node-api.js'
import { type NodeProfileName, payloadAttributesFor, rollupConfigFor } from './profile.js'
import type { BlockReplayer, ParallelStats, ReplayResult } from './replayer.js'
import type { RpcBlock } from './rpc-types.js'
import { type FieldDiff, verifyBlock } from './verify.js'
import { type WitnessMode, type WitnessSource, fetchWitness } from './witness.js'
import { SidecarError, isTransient } from './errors.js'

export type BlockStatus = 'verified' | 'mismatch' | 'unverifiable'

/** The outcome of checking one block (JSON-safe). */
export interface BlockReport {
  number: string
  hash: string
  status: BlockStatus
  txs: number
  gasUsed: string
  replayMode: 'sequential' | 'parallel'
  diffs: FieldDiff[]
  deviations: string[]
  witness?: { source: WitnessSource; preimages: number } | undefined
  timingsMs: { fetch: number; witness: number; replay: number; verify: number; total: number }
  parallel?: ParallelStats | undefined
  error?: { code: string; message: string } | undefined
}

export interface BlockCheckDeps {
  api: NodeApi
  replayer: BlockReplayer
  profile: NodeProfileName
  chainId: bigint
  rollupConfig?: Record<string, unknown> | undefined
  witnessMode: WitnessMode
}

/** Known parent data (from the follower's window) to save a round trip. */
export interface ParentInfo {
  header: OpHeader
  hash: string
}

export interface CheckOptions {
  parent?: ParentInfo | undefined
  /** Recent ancestor RLP headers for BLOCKHASH (proof witnesses). */
  ancestorHeaders?: readonly string[]
  signal?: AbortSignal | undefined
  /** Called with the fetched block (the follower records its hash and header). */
  onBlock?: (b: RpcBlock) => void
}

const now = (): number => performance.now()

/** Fetches, replays and verifies block `number`. Throws only for SIDECAR_ABORTED and transient transport errors. */
export async function checkBlock(deps: BlockCheckDeps, number: bigint, opts: CheckOptions = {}): Promise<BlockReport> {
  const t0 = now()
  const timings = { fetch: 0, witness: 0, replay: 0, verify: 0, total: 0 }
  const signal = opts.signal
  const base = {
    number: number.toString(),
    hash: '(unknown)',
    txs: 0,
    gasUsed: '0',
    replayMode: deps.replayer.mode,
    deviations: [] as string[],
  }
  const report = (status: BlockStatus, extra: Partial<BlockReport>): BlockReport => {
    timings.total = now() - t0
    return { ...base, status, diffs: [], timingsMs: timings, ...extra }
  }
  try {
    const block = await deps.api.block(number, { signal })
    base.hash = block.hash
    base.txs = block.transactions.length
    base.gasUsed = block.header.gasUsed.toString()
    opts.onBlock?.(block)
    const receipts = await deps.api.receipts(block, { signal })
    let parent = opts.parent
    if (parent === undefined || parent.hash !== block.parentHash) {
      const pb = await deps.api.block(number - 1n, { signal })
      parent = { header: pb.header, hash: pb.hash }
    }
    if (parent.hash !== block.parentHash) {
      throw new SidecarError('SIDECAR_RPC_INVALID_FIELD', `block ${number}'s parentHash ${block.parentHash} is not the hash ${parent.hash} of block ${number - 1n} (reorg in progress?)`, {
        details: { field: 'block.parentHash' },
      })
    }
    timings.fetch = now() - t0
    const tw = now()
    const witness = await fetchWitness(deps.api, block, bytesToHex(parent.header.stateRoot), {
      mode: deps.witnessMode,
      ancestorHeaders: [bytesToHex(encodeHeader(parent.header)), ...(opts.ancestorHeaders ?? [])],
      signal,
    })
    timings.witness = now() - tw
    const rollupConfig = rollupConfigFor(deps.profile, deps.rollupConfig, deps.chainId, block)
    const tr = now()
    let result: ReplayResult
    try {
      result = await deps.replayer.replay({
        rollupConfig,
        parentHeader: headerToJson(parent.header),
        payloadAttributes: payloadAttributesFor(deps.profile, rollupConfig, block),
        witness: witness.preimages,
      })
    } finally {
      timings.replay = now() - tr
    }
    const tv = now()
    const v = await verifyBlock(deps.profile, block, receipts, result)
    timings.verify = now() - tv
    return report(v.diffs.length === 0 ? 'verified' : 'mismatch', {
      diffs: v.diffs,
      deviations: v.deviations,
      witness: { source: witness.source, preimages: witness.preimages.length },
      parallel: result.parallel,
    })
  } catch (err) {
    // Transport trouble and "not there yet" are the caller's to retry; anything else is this block's verdict.
    if (err instanceof SidecarError && (isTransient(err) || err.code === 'SIDECAR_ABORTED' || err.code === 'SIDECAR_BLOCK_NOT_FOUND')) throw err
    const code = err instanceof ParadagError ? err.code : 'INTERNAL'
    const message = err instanceof Error ? err.message : String(err)
    return report('unverifiable', { error: { code, message } })
  }
}
