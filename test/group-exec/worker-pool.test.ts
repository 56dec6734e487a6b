/**
 * The worker pool on real worker threads: tasks bound to a worker queue on it in order while it
 * is busy, free tasks go to an idle worker, and a worker that dies (an uncaught error or an exit)
 * fails its running task and every task queued on it with a coded error, then is replaced.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkerPool } from '../../src/group-exec/worker-pool.js'
import type { PoolTestTask } from './fixtures/pool-worker.js'

interface Answer {
  value: string
  threadId: number
  startedAt: number
  finishedAt: number
}

describe('worker pool', { timeout: 60_000 }, () => {
  let pool: WorkerPool
  const run = (task: PoolTestTask, affinity?: number): Promise<Answer> => pool.run<Answer>(task, affinity === undefined ? {} : { affinity })
  before(async () => {
    pool = new WorkerPool({ script: new URL('./fixtures/pool-worker.js', import.meta.url), size: 2 })
    await pool.start()
  })
  after(async () => {
    await pool.stop()
  })

  it('runs tasks bound to one worker in submission order, back to back, while a free task takes the other worker', async () => {
    const bound = [run({ sleep: 60, value: 'a' }, 0), run({ sleep: 5, value: 'b' }, 0), run({ sleep: 5, value: 'c' }, 0)]
    const free = run({ sleep: 5, value: 'free' })
    const [a, b, c] = await Promise.all(bound)
    const f = await free
    assert.deepEqual([a!.value, b!.value, c!.value], ['a', 'b', 'c'])
    assert.equal(new Set([a!.threadId, b!.threadId, c!.threadId]).size, 1)
    assert.ok(b!.startedAt >= a!.finishedAt && c!.startedAt >= b!.finishedAt)
    // The free task did not wait behind the busy worker's queue.
    assert.notEqual(f.threadId, a!.threadId)
    assert.ok(f.finishedAt <= a!.finishedAt)
  })

  for (const [name, death] of [['an uncaught error', { crash: true }], ['an exit', { exit: 3 }]] as const) {
    it(`fails the running and the queued tasks of a worker that dies by ${name}, and replaces it`, async () => {
      // The worker's death is reported on another channel than its results, and may overtake a
      // result it posted just before: the task before it is awaited first.
      assert.equal((await run({ sleep: 5, value: 'before' }, 1)).value, 'before')
      const dying = assert.rejects(run(death, 1), { code: 'EXEC_WORKER_CRASHED' })
      const queued = assert.rejects(run({ sleep: 5, value: 'queued behind' }, 1), { code: 'EXEC_WORKER_CRASHED' })
      await dying
      await queued
      // The pool is whole again: both workers answer.
      const again = await Promise.all([run({ sleep: 5, value: 'x' }, 0), run({ sleep: 5, value: 'y' }, 1)])
      assert.deepEqual(again.map((r) => r.value), ['x', 'y'])
      assert.notEqual(again[0]!.threadId, again[1]!.threadId)
    })
  }

  it('rejects what is pending when stopped', async () => {
    const p = new WorkerPool({ script: new URL('./fixtures/pool-worker.js', import.meta.url), size: 1 })
    await p.start()
    const long = assert.rejects(p.run({ sleep: 10_000, value: 'never' }, { affinity: 0 }), { code: 'EXEC_POOL_STOPPED' })
    const queued = assert.rejects(p.run({ sleep: 5, value: 'never either' }, { affinity: 0 }), { code: 'EXEC_POOL_STOPPED' })
    await p.stop()
    await long
    await queued
  })
})
