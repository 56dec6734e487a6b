/**
 * `BlockReplayer`: re-executes one OP block from its inputs and a witness. Two implementations:
 * the sequential reference (`executeOpBlock`) and the parallel pipeline
 * (`executeOpBlockParallel`). The follower and the planning API only see this interface.
 */
import { bytesToHex } from '@ethereumjs/util'
import { executeOpBlock, type OpHeader, type OpReceipt } from '../src/chain/index.js'
import { fastCustomCrypto } from '../src/crypto/index.js'
import { type PipelineExecutor, executeOpBlockParallel } from '../src/pipeline/index.js'
import { buildPreimageMap } from '../src/state/index.js'

/** Everything a replay needs, in JSON form (the shape fixtures and both executors accept). */
export interface ReplayInputs {
  rollupConfig: Record<string, unknown>
  parentHeader: Record<string, unknown>
  payloadAttributes: Record<string, unknown>
  /** 0x-hex preimages: trie nodes, codes, RLP ancestor headers. */
  witness: readonly string[]
}

/** Per-transaction figures only the sequential executor reports. */
export interface ReplayTxDetail {
  hash: string
  gasUsed: bigint
  l1Fee: bigint
  l1GasUsed: bigint
  operatorFee: bigint
  createdAddress?: string | undefined
  error?: string | undefined
}

/** What the parallel pipeline did for the block. */
export interface ParallelStats {
  mode: 'parallel' | 'sequential'
  fallbackReason?: string | undefined
  groups: number
  rounds: number
  conflicts: number
  repaired: number
  reexecuted: number
  /** Ideal speedup of the block's DAG (total gas / critical path gas). */
  idealSpeedup: number
  phasesMs: Record<string, number>
}

export interface ReplayResult {
  mode: 'sequential' | 'parallel'
  header: OpHeader
  blockHash: Uint8Array
  stateRoot: Uint8Array
  receiptsRoot: Uint8Array
  gasUsed: bigint
  receipts: OpReceipt[]
  details?: ReplayTxDetail[] | undefined
  parallel?: ParallelStats | undefined
}

/** Re-executes a block; implementations must give bit-identical results. */
export interface BlockReplayer {
  readonly mode: 'sequential' | 'parallel'
  replay(inputs: ReplayInputs): Promise<ReplayResult>
}

/** The sequential reference executor (`executeOpBlock`, native ecrecover). */
export function createSequentialReplayer(): BlockReplayer {
  const customCrypto = fastCustomCrypto()
  return {
    mode: 'sequential',
    async replay(inputs) {
      const r = await executeOpBlock({
        rollupConfig: inputs.rollupConfig,
        parentHeader: inputs.parentHeader,
        payloadAttributes: inputs.payloadAttributes,
        witness: buildPreimageMap(inputs.witness, customCrypto.keccak256),
        customCrypto,
      })
      return {
        mode: 'sequential',
        header: r.header,
        blockHash: r.blockHash,
        stateRoot: r.stateRoot,
        receiptsRoot: r.receiptsRoot,
        gasUsed: r.gasUsed,
        receipts: r.receipts,
        details: r.results.map((t) => ({
          hash: bytesToHex(t.hash),
          gasUsed: t.gasUsed,
          l1Fee: t.l1Fee,
          l1GasUsed: t.l1GasUsed,
          operatorFee: t.operatorFee,
          createdAddress: t.createdAddress?.toString(),
          error: t.error,
        })),
      }
    },
  }
}

export interface ParallelReplayerOptions {
  executor: PipelineExecutor
  groups?: number
  /** Skip the small-block sequential fallback (tests, demos). */
  forceParallel?: boolean
}

/** The parallel pipeline (`executeOpBlockParallel`) behind the same interface. */
export function createParallelReplayer(opts: ParallelReplayerOptions): BlockReplayer {
  return {
    mode: 'parallel',
    async replay(inputs) {
      const r = await executeOpBlockParallel({
        rollupConfig: inputs.rollupConfig,
        parentHeader: inputs.parentHeader,
        payloadAttributes: inputs.payloadAttributes,
        witness: inputs.witness,
        executor: opts.executor,
        ...(opts.groups !== undefined ? { groups: opts.groups } : {}),
        ...(opts.forceParallel === true ? { forceParallel: true } : {}),
      })
      const rep = r.report
      return {
        mode: 'parallel',
        header: r.header,
        blockHash: r.blockHash,
        stateRoot: r.stateRoot,
        receiptsRoot: r.receiptsRoot,
        gasUsed: r.gasUsed,
        receipts: r.receipts,
        parallel: {
          mode: rep.mode,
          fallbackReason: rep.fallbackReason,
          groups: rep.groups,
          rounds: rep.rounds,
          conflicts: rep.conflicts.length,
          repaired: rep.repaired,
          reexecuted: rep.reexecuted,
          idealSpeedup: rep.idealSpeedup,
          phasesMs: { ...rep.phases },
        },
      }
    },
  }
}
