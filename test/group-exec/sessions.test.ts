/**
 * Multi-part sessions: a group cut into consecutive parts gives, part by part, exactly what the
 * whole package gives in one run — on the worker pool also when every part is submitted at once
 * (they queue on one worker by affinity while it is still running the first).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { WorkerExecutor, createInProcessExecutor, runPackage } from '../../src/group-exec/index.js'
import type { GroupResult, WorkPackage } from '../../src/group-exec/index.js'
import { snapshotReader } from '../../src/state/index.js'
import { makePackage } from './executor-suite.js'

/** The package cut into `n` consecutive parts of one session. */
function cut(pkg: WorkPackage, n: number, id: string): WorkPackage[] {
  const per = Math.ceil(pkg.txs.length / n)
  return Array.from({ length: n }, (_, j) => ({
    ...pkg,
    id: `${id}:c${j}`,
    txs: pkg.txs.slice(j * per, (j + 1) * per),
    // Later parts carry no slice of their own: they must continue from the state the first left.
    slice: j === 0 ? pkg.slice : {},
    session: { id, part: j, last: j === n - 1 },
  }))
}

const results = (rs: GroupResult[]): unknown => JSON.parse(JSON.stringify(rs.flatMap((r) => r.results)))

describe('multi-part sessions', { timeout: 120_000 }, () => {
  let workers: WorkerExecutor
  before(async () => {
    workers = new WorkerExecutor({ workers: 2, id: 'sessions' })
    await workers.start()
  })
  after(async () => {
    await workers.stop()
  })

  it('parts submitted at once to one worker give the whole package’s results, in order', async () => {
    // An empty slice: every read is a round trip to this thread, so a worker that did not queue
    // its tasks would start the next part while the first awaits a read.
    const { pkg, genesis } = await makePackage(31, 40, false)
    const fallback = snapshotReader(genesis)
    const want = await runPackage(pkg, { executorId: 'reference', fallback })
    for (const round of [0, 1]) {
      const parts = cut(pkg, 4, `sess:all-at-once:${round}`)
      // Every part is handed over before the first one ends; a free task in between must not
      // take the session's worker out of order.
      const other = { ...pkg, id: `sess:free:${round}` }
      const pending = parts.map((p) => workers.execute(p, { affinity: 1, fallback }))
      pending.splice(2, 0, workers.execute(other, { fallback }))
      const all = await Promise.all(pending)
      const free = all.splice(2, 1)[0]!
      const got = all
      assert.deepEqual(results(got), results([want]))
      assert.deepEqual(results([free]), results([want]))
      // They ran back to back on one worker, each after the one before it.
      assert.equal(new Set(got.map((g) => g.executorId)).size, 1)
      for (let j = 1; j < got.length; j++) assert.ok(got[j]!.startedAt >= got[j - 1]!.finishedAt)
    }
  })

  it('the in-process executor continues a session part by part', async () => {
    const { pkg } = await makePackage(32, 20)
    const want = await runPackage(pkg, { executorId: 'reference' })
    const ex = createInProcessExecutor('sessions-in-process')
    const got: GroupResult[] = []
    for (const p of cut(pkg, 3, 'sess:in-process')) got.push(await ex.execute(p))
    assert.deepEqual(results(got), results([want]))
  })

  it('refuses a part out of order, and a part of a session that already ended', async () => {
    const { pkg } = await makePackage(33, 12)
    const ex = createInProcessExecutor('sessions-order')
    const [p0, p1, p2] = cut(pkg, 3, 'sess:order')
    await ex.execute(p0!)
    await assert.rejects(ex.execute(p2!), { code: 'EXEC_SESSION_ORDER' })
    await ex.execute(p1!)
    await ex.execute(p2!)
    // The last part closed the session: running it again finds nothing to continue.
    await assert.rejects(ex.execute(p1!), { code: 'EXEC_SESSION_ORDER' })
  })
})
