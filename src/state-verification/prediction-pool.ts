/**
 * A pool of worker threads for speculative prediction (default one per core). A batch is split
 * round-robin over the workers; each traces its transactions against the parent state
 * independently; results come back sorted by transaction index. Workers are warm: they keep the
 * last parent state (by `parentId`) between batches.
 */
import { Worker } from 'node:worker_threads'
import { type SerializedError, deserializeError } from '../common/errors.js'
import type { Logger } from '../common/logger.js'
import { DEFAULT_PREDICTION_WORKERS } from './constants.js'
import { StateVerificationError } from './errors.js'
import type { PredictBatchInput, PredictedTx } from './prediction-core.js'

export interface PredictionPoolOptions {
  /** Number of worker threads (default: one per core). */
  workers?: number
  logger?: Logger
}

export interface PoolPredictOptions {
  signal?: AbortSignal
}

/** A started pool predicts batches; stop() terminates every worker. */
export interface PredictionPool {
  readonly size: number
  start(): Promise<void>
  stop(): Promise<void>
  /** Predicts every tx of the batch against its parent; results sorted by index. */
  predict(input: PredictBatchInput, options?: PoolPredictOptions): Promise<PredictedTx[]>
}

type Reply = { id: number; ok: true; results: PredictedTx[] } | { id: number; ok: false; error: SerializedError }

interface Slot {
  worker: Worker
  pending: Map<number, { resolve: (r: PredictedTx[]) => void; reject: (e: unknown) => void }>
}

const WORKER_URL = new URL('./prediction-worker.js', import.meta.url)

/** Creates a prediction pool (call start() before predict()). */
export function createPredictionPool(options: PredictionPoolOptions = {}): PredictionPool {
  const size = Math.max(1, options.workers ?? DEFAULT_PREDICTION_WORKERS)
  const log = options.logger
  let slots: Slot[] = []
  let started = false
  let nextId = 1

  const spawn = (i: number): Slot => {
    const worker = new Worker(WORKER_URL)
    const slot: Slot = { worker, pending: new Map() }
    worker.on('message', (m: Reply) => {
      const p = slot.pending.get(m.id)
      if (p === undefined) return
      slot.pending.delete(m.id)
      if (m.ok) p.resolve(m.results)
      else p.reject(deserializeError(m.error))
    })
    const fail = (cause: unknown): void => {
      const err = new StateVerificationError('SV_WORKER_FAILED', `prediction worker ${i} failed`, { cause })
      for (const p of slot.pending.values()) p.reject(err)
      slot.pending.clear()
      // Replace a dead worker so the pool stays usable.
      if (started && slots[i] === slot) {
        log?.error('prediction worker %d died: %s', i, cause instanceof Error ? cause.message : String(cause))
        slots[i] = spawn(i)
      }
    }
    worker.on('error', fail)
    worker.on('exit', (code) => {
      if (slot.pending.size > 0) fail(new Error(`worker exited with code ${code}`))
    })
    return slot
  }

  const send = (slot: Slot, input: PredictBatchInput): Promise<PredictedTx[]> =>
    new Promise((resolve, reject) => {
      const id = nextId++
      slot.pending.set(id, { resolve, reject })
      slot.worker.postMessage({ id, input })
    })

  return {
    get size() {
      return size
    },
    async start() {
      if (started) return
      started = true
      slots = Array.from({ length: size }, (_, i) => spawn(i))
    },
    async stop() {
      if (!started) return
      started = false
      const old = slots
      slots = []
      for (const s of old) {
        for (const p of s.pending.values()) p.reject(new StateVerificationError('SV_POOL_STOPPED', 'prediction pool stopped'))
        s.pending.clear()
      }
      await Promise.all(old.map((s) => s.worker.terminate()))
    },
    async predict(input, opts = {}) {
      if (!started) throw new StateVerificationError('SV_POOL_NOT_STARTED', 'prediction pool is not started')
      if (opts.signal?.aborted === true) throw new StateVerificationError('SV_ABORTED', 'prediction aborted', { cause: opts.signal.reason })
      if (input.txs.length === 0) return []
      const n = Math.min(slots.length, input.txs.length)
      const parts: Array<PredictBatchInput['txs']> = Array.from({ length: n }, () => [])
      input.txs.forEach((t, i) => parts[i % n]?.push(t))
      const work = Promise.all(parts.map((txs, i) => send(slots[i] as Slot, { ...input, txs })))
      const aborted = new Promise<never>((_, reject) => {
        opts.signal?.addEventListener('abort', () => reject(new StateVerificationError('SV_ABORTED', 'prediction aborted', { cause: opts.signal?.reason })), { once: true })
      })
      const results = await (opts.signal === undefined ? work : Promise.race([work, aborted]))
      return results.flat().sort((a, b) => a.index - b.index)
    },
  }
}
