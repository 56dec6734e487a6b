/**
 * The chain of a testnet: one generated workload of `txs × blocks` transactions split, in
 * order, into `blocks` blocks over the workload's genesis. Every node that needs it (the
 * construction node, the committer, the orchestrator's sequential reference) generates the same
 * chain from the same seed. Block k (1-based) has number `base + k - 1`, a timestamp 2 s after
 * its parent, and its parent's hash.
 */
import type { Common } from '@ethereumjs/common'
import type { BlockEnv as PipelineEnv } from '../../src/batch-committer/block.js'
import type { ChainSpec } from '../../src/group-exec/index.js'
import type { StateSnapshot } from '../../src/state/index.js'
import { generateWorkload, workloadBlockInput } from '../../src/workloads/index.js'
import type { ChainConfig } from './config.js'

/** The genesis block's hash stands in as the first block's parent hash. */
export const GENESIS_HASH = `0x${'00'.repeat(32)}`

export interface TestChain {
  config: ChainConfig
  genesis: StateSnapshot
  common: Common
  chain: ChainSpec
  /** Raw transactions of each block (index 0 = block 1). */
  blocks: Uint8Array[][]
  /** Number of the first block. */
  firstNumber: bigint
  /** Environment of the block at `number` with the given parent hash. */
  envFor(number: bigint, parentHash: string): PipelineEnv
}

/** Generates the chain of a config (deterministic in its seed). */
export async function buildTestChain(config: ChainConfig): Promise<TestChain> {
  const opts: Record<string, number> = { txs: config.txs * config.blocks, seed: config.seed }
  if (config.accounts !== undefined) opts.accounts = config.accounts
  const w = await generateWorkload(config.workload, opts)
  const input = workloadBlockInput(w)
  const blocks: Uint8Array[][] = []
  for (let b = 0; b < config.blocks; b++) blocks.push(input.raws.slice(b * config.txs, (b + 1) * config.txs))
  const base = input.env
  return {
    config,
    genesis: w.genesis,
    common: w.common,
    chain: input.chain,
    blocks,
    firstNumber: base.number,
    envFor(number, parentHash) {
      return { ...base, number, timestamp: base.timestamp + 2n * (number - base.number), parentHash }
    },
  }
}

/** Raw transactions of the block at `number`, or undefined past the end of the chain. */
export function blockTxs(c: TestChain, number: bigint): Uint8Array[] | undefined {
  return c.blocks[Number(number - c.firstNumber)]
}
