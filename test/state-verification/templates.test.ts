import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createVM } from '@ethereumjs/vm'
import { bytesToHex } from '@ethereumjs/util'
import { createEnvBlock } from '../../src/chain/index.js'
import { MapStateManager } from '../../src/state/index.js'
import { TemplateStore, TracingStateManager, applyTemplate, learnTemplate, shapeOf, traceTransaction, type AccessSet } from '../../src/state-verification/index.js'
import { generateErc20, generateUniswap, workloadBlockInput, type Workload } from '../../src/workloads/index.js'
import { buildDag, compactFromAccessSets, toGraphologyBare } from '../../src/dag/index.js'
import { componentsGraphology, componentsUnionFind } from '../../src/partition/index.js'

/** Traces every tx of a workload in isolation against its genesis. */
async function traceAll(w: Workload): Promise<AccessSet[]> {
  return (await traceAllWithStatus(w)).map((t) => t.access)
}

async function traceAllWithStatus(w: Workload): Promise<{ access: AccessSet; included: boolean }[]> {
  const { env } = workloadBlockInput(w)
  const state = new TracingStateManager(new MapStateManager({ snapshot: w.genesis }), { feeRecipients: [env.coinbase] })
  const vm = await createVM({ common: w.common, stateManager: state })
  const block = createEnvBlock(env, w.common)
  const out: { access: AccessSet; included: boolean }[] = []
  for (const tx of w.txs) {
    const t = await traceTransaction(vm, tx, { block, isolate: true })
    out.push({ access: t.accessSet, included: t.outcome.included })
  }
  return out
}

const sorted = (s: ReadonlySet<string>): string[] => [...s].sort()

describe('access templates', () => {
  it('a template learned from one ERC-20 transfer predicts the traced access set of the others', async () => {
    const w = await generateErc20({ txs: 40, accounts: 50, seed: 11, tokens: 1 })
    const traces = await traceAllWithStatus(w)
    const t = learnTemplate(w.txs[0]!, traces[0]!.access)
    assert.ok(t !== undefined)
    let compared = 0
    for (let i = 1; i < w.txs.length; i++) {
      const p = applyTemplate(t, w.txs[i]!)
      assert.ok(p !== undefined)
      // A sender's later transfers fail in isolation (nonce too high); the template predicts what they really do.
      if (!traces[i]!.included) continue
      compared++
      assert.deepEqual(sorted(p.reads), sorted(traces[i]!.access.reads))
      assert.deepEqual(sorted(p.writes), sorted(traces[i]!.access.writes))
    }
    assert.ok(compared > 20)
  })

  it('the store trusts a shape only after a second example confirms it', async () => {
    const w = await generateErc20({ txs: 10, accounts: 20, seed: 12, tokens: 1 })
    const traces = await traceAll(w)
    const store = new TemplateStore()
    store.observe(w.txs[0]!, traces[0]!)
    assert.equal(store.predict(w.txs[2]!), undefined)
    store.observe(w.txs[1]!, traces[1]!)
    const p = store.predict(w.txs[2]!)
    assert.ok(p !== undefined)
    assert.deepEqual(sorted(p.writes), sorted(traces[2]!.writes))
  })

  it('router swaps: keyed by token pair once two examples agree on the structure, exact per pool', async () => {
    // eip1559 swaps carry no access list: the router derives the pool, so the template is keyed.
    const w = await generateUniswap({ txs: 40, accounts: 60, pools: 3, seed: 14, txType: 'eip1559' })
    const traces = await traceAllWithStatus(w)
    const pathKey = (i: number): string => {
      const d = w.txs[i]!.data
      const word = (k: number): string => bytesToHex(d.subarray(4 + 32 * k, 4 + 32 * (k + 1)))
      return [word(6), word(7)].sort().join()
    }
    const ok = w.txs.map((_, i) => i).filter((i) => traces[i]!.included)
    const learnt = learnTemplate(w.txs[ok[0]!]!, traces[ok[0]!]!.access)
    assert.equal(learnt?.keyed, true)
    const store = new TemplateStore()
    const shape = shapeOf(w.txs[0]!)!
    // Two examples in different pools confirm the structure; each teaches its own pool.
    const a = ok[0]!
    const b = ok.find((i) => pathKey(i) !== pathKey(a))!
    store.observe(w.txs[a]!, traces[a]!.access)
    assert.equal(store.wants(shape), true)
    store.observe(w.txs[b]!, traces[b]!.access)
    assert.equal(store.wants(shape), false)
    const third = ok.find((i) => pathKey(i) !== pathKey(a) && pathKey(i) !== pathKey(b))!
    assert.equal(store.predict(w.txs[third]!), undefined)
    assert.ok(store.wantsKey(w.txs[third]!) !== undefined)
    store.observe(w.txs[third]!, traces[third]!.access)
    assert.equal(store.wantsKey(w.txs[third]!), undefined)
    // Every other successful swap is predicted exactly, in either direction of its pool.
    let compared = 0
    for (const i of ok) {
      const p = store.predict(w.txs[i]!)
      assert.ok(p !== undefined, `swap ${i}`)
      // A trader's later swaps fail in isolation (nonce too high): compare first swaps only.
      if (w.meta.findIndex((m) => m.sender === w.meta[i]!.sender) !== i) continue
      compared++
      assert.deepEqual(sorted(p.reads), sorted(traces[i]!.access.reads))
      assert.deepEqual(sorted(p.writes), sorted(traces[i]!.access.writes))
    }
    assert.ok(compared > 20)
  })

  it('an address named by the access list explains the pool: a plain (unkeyed) template', async () => {
    const w = await generateUniswap({ txs: 12, accounts: 30, pools: 3, seed: 15, txType: 'eip2930' })
    const traces = await traceAllWithStatus(w)
    const t = learnTemplate(w.txs[0]!, traces[0]!.access)
    assert.ok(t !== undefined && t.keyed === undefined)
    assert.ok(t.keys.some((r) => r.addr.k === 'al'))
  })

  it('union-find and graphology give identical partitions on a DAG from real traced transactions', async () => {
    const w = await generateErc20({ txs: 300, accounts: 400, seed: 13, tokens: 2 })
    const traces = await traceAll(w)
    const dag = buildDag(compactFromAccessSets(traces, traces.map(() => 50_000)).accesses)
    const a = componentsUnionFind(dag)
    const b = componentsGraphology(toGraphologyBare(dag))
    assert.ok(a.count > 1)
    assert.equal(a.count, b.count)
    assert.deepEqual([...a.componentOf], [...b.componentOf])
  })
})
