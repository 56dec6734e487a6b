import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { createFeeMarket1559Tx, createLegacyTx } from '@ethereumjs/tx'
import { createFastCommon } from '../../src/crypto/index.js'
import { referenceApplyTemplate } from './templates-reference.js'
import { createVM } from '@ethereumjs/vm'
import { bytesToHex } from '@ethereumjs/util'
import { createEnvBlock } from '../../src/chain/index.js'
import { MapStateManager } from '../../src/state/index.js'
import { TemplateStore, TracingStateManager, applyTemplate, learnTemplate, shapeOf, traceTransaction, type AccessSet, type AccessTemplate, type TemplateSource } from '../../src/state-verification/index.js'
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

describe('applyTemplate (compiled to byte reads)', () => {
  const common = createFastCommon()
  const hexOf = (b: Uint8Array): string => `0x${Buffer.from(b).toString('hex')}`
  const address = fc.uint8Array({ minLength: 20, maxLength: 20 })
  // Words as calldata holds them: addresses (12 zero bytes first), small numbers, anything.
  const word = fc.oneof(
    address.map((a) => new Uint8Array([...new Uint8Array(12), ...a])),
    // almost an address: one non-zero byte among the twelve leading ones
    fc.tuple(address, fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 255 })).map(([a, i, b]) => { const w = new Uint8Array([...new Uint8Array(12), ...a]); w[i] = b; return w }),
    fc.integer({ min: 0, max: 1000 }).map((n) => { const w = new Uint8Array(32); w[31] = n & 0xff; w[30] = n >> 8; return w }),
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
  )
  const source: fc.Arbitrary<TemplateSource> = fc.oneof(
    fc.constant({ k: 'sender' as const }),
    fc.constant({ k: 'to' as const }),
    fc.integer({ min: 0, max: 7 }).map((i) => ({ k: 'arg' as const, i })),
    fc.integer({ min: 0, max: 3 }).map((i) => ({ k: 'al' as const, i })),
    word.map((w) => ({ k: 'const' as const, v: hexOf(w) })),
  )
  const base = fc.integer({ min: 0, max: 15 })
  const slot = fc.oneof(
    source.map((w) => ({ k: 'word' as const, w })),
    fc.record({ k: fc.constant('map' as const), key: source, base }),
    fc.record({ k: fc.constant('map2' as const), outer: source, inner: source, base }),
  )
  const rule = fc.oneof(
    fc.record({ kind: fc.constantFrom('b' as const, 'n' as const, 'c' as const), addr: source, read: fc.boolean(), write: fc.boolean() }),
    fc.record({ kind: fc.constant('s' as const), addr: source, slot, read: fc.boolean(), write: fc.boolean() }),
  )
  const template: fc.Arbitrary<AccessTemplate> = fc.record({ keys: fc.array(rule, { maxLength: 8 }), credits: fc.array(source, { maxLength: 3 }) })
  const call = fc.record({
    legacy: fc.boolean(),
    create: fc.boolean(),
    to: address,
    selector: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    args: fc.array(word, { maxLength: 10 }),
    tail: fc.uint8Array({ maxLength: 40 }),
    al: fc.array(address, { maxLength: 6 }),
    sender: address,
  })

  it('predicts exactly what the string-based reference predicts, for any template and call', () => {
    fc.assert(
      fc.property(template, call, (t, c) => {
        const data = new Uint8Array([...c.selector, ...c.args.flatMap((w) => [...w]), ...c.tail])
        const to = c.create ? {} : { to: hexOf(c.to) as `0x${string}` }
        const tx = c.legacy
          ? createLegacyTx({ ...to, data, gasLimit: 100_000n, gasPrice: 1n }, { common })
          : createFeeMarket1559Tx({ ...to, data, gasLimit: 100_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, accessList: c.al.map((a): [Uint8Array, Uint8Array[]] => [a, []]) }, { common })
        const sender = hexOf(c.sender)
        const got = applyTemplate(t, tx, sender)
        const want = referenceApplyTemplate(t, tx, sender)
        if (want === undefined) return assert.equal(got, undefined)
        assert.ok(got !== undefined)
        assert.deepEqual(sorted(got.reads), sorted(want.reads))
        assert.deepEqual(sorted(got.writes), sorted(want.writes))
        assert.deepEqual([...got.credits].sort(), [...want.credits].sort())
      }),
      { numRuns: 400 },
    )
  })
})
