/**
 * The worker-thread executor: a warm pool (default one worker per core, reused across blocks)
 * that executes packages in parallel. Reads outside a package's slice are answered by the main
 * thread from the package's parent state (the `fallback` of `execute`).
 */
import { encodeSnapshot, type StateReader, type StateSnapshotJson } from '../state/index.js'
import { WorkerPool } from './worker-pool.js'
import type { RecoveredSigner } from '../crypto/index.js'
import type { BodyRoots, ReceiptInput, ReceiptsPiece } from '../batch-committer/block.js'
import type { ExecuteOptions, Executor, GroupResult, WorkPackage } from './types.js'

export interface WorkerExecutorOptions {
  /** Number of workers; default one per core. */
  workers?: number
  id?: string
}

/** A task sent to an execution worker. */
export interface ExecTask {
  pkg: WorkPackage
  isolate: boolean
  /** Parent replica to read misses from (see `setParent`). */
  parentId?: string
}

/** A sender-recovery task: decode each raw transaction and recover its signer's public key. */
export interface RecoverTask {
  recover: { chain: WorkPackage['chain']; env: WorkPackage['env']; raws: Uint8Array[] }
}

/** A run of the receipts encoded on a worker (`receiptsPiece`), while the committer hashes the state. */
export interface ReceiptsPieceTask {
  receiptsPiece: { chain: WorkPackage['chain']; env: WorkPackage['env']; receipts: ReceiptInput[]; cumulativeBefore: bigint }
}

/** The receipts root over pieces encoded by `ReceiptsPieceTask`s. */
export interface PiecesRootTask {
  piecesRoot: { chain: WorkPackage['chain']; env: WorkPackage['env']; pieces: Pick<ReceiptsPiece, 'encoded' | 'ends'>[] }
}

/** The ordered-trie root of a list of transactions' bytes. */
export interface TxRootTask {
  txRoot: { chain: WorkPackage['chain']; env: WorkPackage['env']; raws: readonly Uint8Array[] }
}

/** Items (transactions to recover, receipts to encode) per worker below which fewer workers are used (message overhead). */
const MIN_CHUNK = 64

/** An executor backed by a warm pool of worker threads; call `start()` first and `stop()` at the end. */
export class WorkerExecutor implements Executor {
  readonly id: string
  /** Tasks given the same `affinity` run on one worker in the order they were submitted. */
  readonly ordersByAffinity = true
  private readonly pool: WorkerPool

  constructor(opts: WorkerExecutorOptions = {}) {
    this.id = opts.id ?? 'workers'
    this.pool = new WorkerPool({ script: new URL('./exec-worker.js', import.meta.url), ...(opts.workers !== undefined ? { size: opts.workers } : {}) })
  }

  /** Number of worker threads. */
  get size(): number {
    return this.pool.size
  }

  async start(): Promise<void> {
    await this.pool.start()
  }

  async stop(): Promise<void> {
    await this.pool.stop()
  }

  /**
   * Shares a parent-state replica (a JSON snapshot) with every worker, for packages naming it:
   * encoded here once into shared memory, which the workers read in place.
   */
  async setParent(parentId: string, snapshot: StateSnapshotJson): Promise<void> {
    await this.pool.setParent(parentId, encodeSnapshot(snapshot))
  }

  execute(pkg: WorkPackage, options: ExecuteOptions & { parentId?: string; affinity?: number } = {}): Promise<GroupResult> {
    return this.run(pkg, false, options)
  }

  /** Runs each transaction of the package against the unchanged slice (speculative prediction). */
  executeIsolated(pkg: WorkPackage, options: ExecuteOptions & { parentId?: string } = {}): Promise<GroupResult> {
    return this.run(pkg, true, options)
  }

  /**
   * Recovers the senders of `raws` on the workers (in one chunk per worker); null
   * where a transaction cannot be decoded or recovered (the caller then does it itself, to get
   * the exact error).
   */
  async recoverSenders(chain: WorkPackage['chain'], env: WorkPackage['env'], raws: readonly Uint8Array[]): Promise<(RecoveredSigner | null)[]> {
    const chunks = Math.max(1, Math.min(this.pool.size, Math.ceil(raws.length / MIN_CHUNK)))
    const per = Math.ceil(raws.length / chunks)
    const parts = await Promise.all(
      Array.from({ length: chunks }, (_, c) => {
        const task: RecoverTask = { recover: { chain, env, raws: raws.slice(c * per, (c + 1) * per) } }
        return this.pool.run<(RecoveredSigner | null)[]>(task, { affinity: c })
      }),
    )
    // Each worker keeps the transactions it decoded here: its packages of this block take them.
    return parts.flat()
  }

  /**
   * The receipts' roots (blooms, receipts root, block bloom) on the workers: each encodes a
   * consecutive share of the receipts (blooms and trie encodings, the costly part), and the
   * worker of `affinity` then builds the trie over them all.
   */
  async receiptRoots(chain: WorkPackage['chain'], env: WorkPackage['env'], receipts: ReceiptInput[], affinity = 0): Promise<Omit<BodyRoots, 'transactionsRoot'>> {
    const shares = Math.max(1, Math.min(this.pool.size, Math.ceil(receipts.length / MIN_CHUNK)))
    const per = Math.ceil(receipts.length / shares)
    let cumulative = 0n
    const pieces: Promise<ReceiptsPiece>[] = []
    for (let c = 0; c < shares; c++) {
      const part = receipts.slice(c * per, (c + 1) * per)
      pieces.push(this.receiptsPiece(chain, env, part, cumulative, affinity + c))
      for (const r of part) cumulative += r.gasUsed
    }
    return this.receiptsFromPieces(chain, env, await Promise.all(pieces), affinity)
  }

  /** A consecutive run of the block's receipts encoded on a worker (see `receiptsPiece`). */
  receiptsPiece(chain: WorkPackage['chain'], env: WorkPackage['env'], receipts: ReceiptInput[], cumulativeBefore: bigint, affinity?: number): Promise<ReceiptsPiece> {
    const task: ReceiptsPieceTask = { receiptsPiece: { chain, env, receipts, cumulativeBefore } }
    return this.pool.run<ReceiptsPiece>(task, affinity === undefined ? {} : { affinity })
  }

  /** The receipts' roots from every piece of the block's receipts, in order: the trie on a worker. */
  async receiptsFromPieces(chain: WorkPackage['chain'], env: WorkPackage['env'], pieces: readonly ReceiptsPiece[], affinity = 0): Promise<Omit<BodyRoots, 'transactionsRoot'>> {
    const root: PiecesRootTask = { piecesRoot: { chain, env, pieces: pieces.map((p) => ({ encoded: p.encoded, ends: p.ends })) } }
    const receiptsRoot = await this.pool.run<Uint8Array>(root, { affinity })
    const blooms: Uint8Array[] = []
    const logsBloom = new Uint8Array(256)
    for (const p of pieces) {
      for (let k = 0; k < p.blooms.length; k += 256) blooms.push(p.blooms.subarray(k, k + 256))
      for (let i = 0; i < 256; i++) logsBloom[i]! |= p.logsBloom[i]!
    }
    return { blooms, receiptsRoot, logsBloom }
  }

  /** The transactions root over `raws` (EIP-2718 bytes in block order), on a worker. */
  transactionsRoot(chain: WorkPackage['chain'], env: WorkPackage['env'], raws: readonly Uint8Array[], affinity?: number): Promise<Uint8Array> {
    const task: TxRootTask = { txRoot: { chain, env, raws } }
    return this.pool.run(task, affinity === undefined ? {} : { affinity })
  }

  private run(pkg: WorkPackage, isolate: boolean, options: ExecuteOptions & { parentId?: string; affinity?: number }): Promise<GroupResult> {
    const task: ExecTask = { pkg, isolate }
    if (options.parentId !== undefined) task.parentId = options.parentId
    const o: { fallback?: StateReader; signal?: AbortSignal; affinity?: number } = {}
    if (options.affinity !== undefined) o.affinity = options.affinity
    if (options.fallback !== undefined) o.fallback = options.fallback
    if (options.signal !== undefined) o.signal = options.signal
    return this.pool.run<GroupResult>(task, o)
  }
}
