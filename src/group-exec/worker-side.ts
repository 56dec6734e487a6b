/**
 * The worker-thread side of `WorkerPool`: receives tasks, runs a handler, and offers the
 * handler a `StateReader` whose reads are answered by the main thread.
 */
import { parentPort } from 'node:worker_threads'
import { deserializeError, serializeError, type SerializedError } from '../common/errors.js'
import type { AccountState, StateReader } from '../state/index.js'

type ToWorker =
  | { type: 'task'; id: number; task: unknown }
  | { type: 'parent'; parentId: string; shared: SharedArrayBuffer }
  | { type: 'fetch-reply'; fetchId: number; value?: unknown; error?: SerializedError }

/**
 * Serves tasks in this worker with `handler`; `fallback` reads go to the main thread.
 * `onParent` receives parent-state replicas sent with `WorkerPool.setParent`.
 */
export function serveTasks(
  handler: (task: unknown, fallback: StateReader) => Promise<unknown>,
  onParent?: (parentId: string, bytes: Uint8Array) => void,
): void {
  const port = parentPort
  if (port === null) throw new Error('serveTasks must run in a worker thread')
  let nextFetch = 1
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>()
  let currentTask = 0
  let queue: Promise<unknown> = Promise.resolve()
  const ask = (req: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const fetchId = nextFetch++
      waiting.set(fetchId, { resolve, reject })
      port.postMessage({ type: 'fetch', id: currentTask, fetchId, req })
    })
  const fallback: StateReader = {
    getAccount: (address) => ask({ kind: 'account', address }) as Promise<AccountState | null>,
    getCode: (address, codeHash) => ask({ kind: 'code', address, codeHash: `0x${Buffer.from(codeHash).toString('hex')}` }) as Promise<Uint8Array>,
    getStorage: (address, slot) => ask({ kind: 'storage', address, slot }) as Promise<Uint8Array>,
  }
  port.on('message', (m: ToWorker) => {
    if (m.type === 'fetch-reply') {
      const w = waiting.get(m.fetchId)
      waiting.delete(m.fetchId)
      if (w === undefined) return
      if (m.error !== undefined) w.reject(deserializeError(m.error))
      else w.resolve(m.value)
      return
    }
    if (m.type === 'parent') {
      onParent?.(m.parentId, new Uint8Array(m.shared))
      return
    }
    // Tasks run one at a time in arrival order: the pool may send a worker its next task before
    // this one is done (consecutive parts of a session), and they must not interleave.
    queue = queue.then(() => {
      currentTask = m.id
      return handler(m.task, fallback)
        .then((value) => port.postMessage({ type: 'result', id: m.id, value }))
        .catch((err: unknown) => port.postMessage({ type: 'error', id: m.id, error: serializeError(err) }))
    })
  })
}
