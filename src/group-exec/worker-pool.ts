/**
 * A warm pool of worker threads (default one per core) that run tasks one at a time each and
 * can call back into the main thread to read state a task is missing (a package "miss").
 * Errors cross the boundary serialised with their code. `stop()` terminates every worker.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { deserializeError, serializeError, type SerializedError } from '../common/errors.js'
import type { StateReader } from '../state/index.js'
import { GroupExecError } from './errors.js'

export interface WorkerPoolOptions {
  /** Compiled worker script (a .js file). */
  script: URL
  /** Number of workers; default one per core. */
  size?: number
  workerData?: unknown
}

/**
 * Young-generation size of each worker's heap, in MB. Executing a package allocates many
 * short-lived objects; a larger nursery means fewer scavenges and less promotion. In one A/B
 * pair on the 10k ERC-20 block (2 cores) 64 MB cut the parallel path's CPU by about 7% against
 * V8's default (128 and 256 MB: the same as 64); later runs varied more than that, so the gain
 * is not firmly measured.
 */
export const WORKER_YOUNG_GENERATION_MB = 64

type FetchRequest = { kind: 'account'; address: string } | { kind: 'code'; address: string; codeHash: string } | { kind: 'storage'; address: string; slot: string }

type FromWorker =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'fetch'; id: number; fetchId: number; req: FetchRequest }

interface Pending {
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
  fallback: StateReader | undefined
}

interface Slot {
  worker: Worker
  /** Tasks sent to this worker and not answered yet, oldest (the running one) first. */
  inflight: number[]
}

/** A pool of warm worker threads. */
export class WorkerPool {
  readonly size: number
  private readonly slots: Slot[] = []
  private readonly queue: { id: number; task: unknown; slot?: number }[] = []
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private started = false

  constructor(private readonly opts: WorkerPoolOptions) {
    this.size = Math.max(1, opts.size ?? availableParallelism())
  }

  /** Starts the workers (idempotent). */
  async start(): Promise<void> {
    if (this.started) return
    this.started = true
    for (let i = 0; i < this.size; i++) {
      const worker = this.spawn()
      const slot: Slot = { worker, inflight: [] }
      this.watch(slot)
      this.slots.push(slot)
    }
  }

  private watch(slot: Slot): void {
    slot.worker.on('message', (m: FromWorker) => this.onMessage(slot, m))
    slot.worker.on('error', (err) => this.onCrash(slot, err))
    // A worker that ends without an error (process.exit in it) is lost all the same; after an
    // error, or once replaced or stopped, its exit finds nothing left to do.
    slot.worker.on('exit', (code) => this.onCrash(slot, new Error(`worker exited with code ${code}`)))
  }

  private spawn(): Worker {
    return new Worker(this.opts.script, { workerData: this.opts.workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } })
  }

  /** Terminates every worker and rejects what is still pending. */
  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    const err = new GroupExecError('EXEC_POOL_STOPPED', 'worker pool stopped')
    for (const p of this.pending.values()) p.reject(err)
    this.pending.clear()
    this.queue.length = 0
    await Promise.all(this.slots.map((s) => s.worker.terminate()))
    this.slots.length = 0
  }

  /**
   * Shares a parent state replica with every worker: `bytes` (an encoded snapshot, see
   * `encodeSnapshot`) are not copied when they fill a `SharedArrayBuffer`. Tasks that name
   * `parentId` read keys outside their slice from the replica instead of asking this thread.
   */
  async setParent(parentId: string, bytes: Uint8Array): Promise<void> {
    if (this.slots.length === 0) return
    let shared = bytes.buffer
    if (!(shared instanceof SharedArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== shared.byteLength) {
      shared = new SharedArrayBuffer(bytes.byteLength)
      new Uint8Array(shared).set(bytes)
    }
    for (const s of this.slots) s.worker.postMessage({ type: 'parent', parentId, shared })
  }

  /** Runs one task on the next free worker. */
  run<T>(task: unknown, options: { fallback?: StateReader; signal?: AbortSignal; affinity?: number } = {}): Promise<T> {
    if (!this.started) return Promise.reject(new GroupExecError('EXEC_POOL_STOPPED', 'worker pool is not started'))
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, fallback: options.fallback })
      options.signal?.addEventListener('abort', () => {
        if (this.pending.delete(id)) reject(new GroupExecError('EXEC_ABORTED', 'task aborted'))
      })
      const entry: { id: number; task: unknown; slot?: number } = { id, task }
      // Tasks with the same affinity run on the same worker, in order (sessions keep state there).
      if (options.affinity !== undefined) entry.slot = options.affinity % this.size
      this.queue.push(entry)
      this.pump()
    })
  }

  private pump(): void {
    // Drop aborted tasks. A task bound to a worker is sent at once, even while that worker is
    // busy: it queues there in order and starts the moment the one before it ends, without
    // waiting for this thread to take the earlier result (it may be busy merging). A free task
    // goes to an idle worker only.
    for (let k = this.queue.length - 1; k >= 0; k--) if (!this.pending.has(this.queue[k]!.id)) this.queue.splice(k, 1)
    for (let k = 0; k < this.queue.length; ) {
      const q = this.queue[k]!
      const slot = q.slot !== undefined ? this.slots[q.slot] : this.slots.find((s) => s.inflight.length === 0)
      if (slot === undefined) {
        k++
        continue
      }
      this.queue.splice(k, 1)
      slot.inflight.push(q.id)
      slot.worker.postMessage({ type: 'task', id: q.id, task: q.task })
    }
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    if (m.type === 'fetch') {
      void this.answerFetch(slot, m.id, m.fetchId, m.req)
      return
    }
    const p = this.pending.get(m.id)
    this.pending.delete(m.id)
    const k = slot.inflight.indexOf(m.id)
    if (k >= 0) slot.inflight.splice(k, 1)
    if (p !== undefined) {
      if (m.type === 'result') p.resolve(m.value)
      else p.reject(deserializeError(m.error))
    }
    this.pump()
  }

  private async answerFetch(slot: Slot, id: number, fetchId: number, req: FetchRequest): Promise<void> {
    const fb = this.pending.get(id)?.fallback
    try {
      if (fb === undefined) throw new GroupExecError('EXEC_NO_FALLBACK', `no parent state to read ${req.kind} of ${req.address} from`)
      let value: unknown
      if (req.kind === 'account') value = await fb.getAccount(req.address)
      else if (req.kind === 'code') value = await fb.getCode(req.address, Buffer.from(req.codeHash.slice(2), 'hex'))
      else value = await fb.getStorage(req.address, req.slot)
      slot.worker.postMessage({ type: 'fetch-reply', fetchId, value })
    } catch (err) {
      slot.worker.postMessage({ type: 'fetch-reply', fetchId, error: serializeError(err) })
    }
  }

  private onCrash(slot: Slot, err: Error): void {
    // Every task sent to it is lost: the running one and those queued behind it.
    for (const id of slot.inflight) {
      const p = this.pending.get(id)
      this.pending.delete(id)
      p?.reject(new GroupExecError('EXEC_WORKER_CRASHED', `worker crashed: ${err.message}`, { cause: err }))
    }
    slot.inflight.length = 0
    // Replace the crashed worker so the pool stays at full size.
    const idx = this.slots.indexOf(slot)
    if (idx >= 0 && this.started) {
      const fresh: Slot = { worker: this.spawn(), inflight: [] }
      this.watch(fresh)
      this.slots[idx] = fresh
      void slot.worker.terminate()
      this.pump()
    }
  }
}
