/** A workload as the pipeline's block input: environment, raw transactions, chain spec. */
import { bytesToHex } from '@ethereumjs/util'
import type { BlockEnv as PipelineEnv } from '../batch-committer/block.js'
import type { ChainSpec } from '../group-exec/index.js'
import type { Workload } from './types.js'

/** The genesis block's hash stands in as the parent hash of a generated block. */
const GENESIS_PARENT = `0x${'00'.repeat(32)}`

/** Block environment, raw txs and chain spec of a workload, for `executeSequential` / `executeParallel`. */
export function workloadBlockInput(w: Workload): { env: PipelineEnv; raws: Uint8Array[]; chain: ChainSpec } {
  const e = w.blockEnv
  const env: PipelineEnv = {
    chainId: e.chainId,
    hardfork: e.hardfork,
    number: e.number,
    timestamp: e.timestamp,
    coinbase: e.coinbase.toLowerCase(),
    gasLimit: e.gasLimit,
    baseFeePerGas: e.baseFee,
    prevRandao: bytesToHex(e.prevRandao),
    parentHash: GENESIS_PARENT,
  }
  return { env, raws: w.raw, chain: { kind: 'ethereum', chainId: e.chainId.toString(), hardfork: e.hardfork } }
}
