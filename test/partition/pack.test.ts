import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { buildDag } from '../../src/dag/index.js'
import { packGroups, partition, type Components } from '../../src/partition/index.js'
import { generateAccesses } from '../../src/workloads/index.js'
import { hasCode } from '../../src/common/index.js'
import { compact, smallBatchArb } from '../dag/reference.js'

/** Each transaction its own component. */
const singletons = (n: number): Components => ({ count: n, componentOf: Uint32Array.from({ length: n }, (_, i) => i) })

describe('packGroups on hand-worked inputs', () => {
  it('places the largest component first into the least-loaded group', () => {
    // gas by component: c0 10, c1 50, c2 30, c3 40, c4 20; k = 2
    // c1 -> g0 (50), c3 -> g1 (40), c2 -> g1 (70), c4 -> g0 (70), c0 -> tie, lower index g0 (80)
    const r = packGroups(singletons(5), [10, 50, 30, 40, 20], 2)
    assert.deepEqual([...(r.groups[0]?.txs ?? [])], [0, 1, 4])
    assert.deepEqual([...(r.groups[1]?.txs ?? [])], [2, 3])
    assert.deepEqual(r.groups.map((g) => g.gas), [80, 70])
    assert.deepEqual(r.groups.map((g) => g.components), [3, 2])
    assert.equal(r.totalGas, 150)
    assert.equal(r.makespan, 80)
    assert.equal(r.idealSpeedup, 150 / 80)
    assert.deepEqual(r.largestComponent, { id: 1, txs: 1, gas: 50, txShare: 1 / 5, gasShare: 50 / 150 })
    assert.equal(r.dominated, false)
  })

  it('breaks equal-gas ties by smallest transaction, equal loads by lowest group', () => {
    // components {0,3} 5 gas, {1} 5, {2} 5 -> order c0, c1, c2; c0 -> g0, c1 -> g1, c2 -> g0
    const comps: Components = { count: 3, componentOf: Uint32Array.of(0, 1, 2, 0) }
    const r = packGroups(comps, [2, 5, 5, 3], 2)
    assert.deepEqual([...(r.groups[0]?.txs ?? [])], [0, 2, 3])
    assert.deepEqual([...(r.groups[1]?.txs ?? [])], [1])
    assert.deepEqual([...r.groupOf], [0, 1, 0, 0])
  })

  it('flags a component holding more than the threshold of gas', () => {
    assert.equal(packGroups(singletons(2), [60, 40], 2).dominated, true)
    assert.equal(packGroups(singletons(2), [50, 50], 2).dominated, false)
    assert.equal(packGroups(singletons(2), [60, 40], 2, { dominanceThreshold: 0.7 }).dominated, false)
    assert.equal(packGroups(singletons(2), [0, 0], 2).dominated, false)
  })

  it('leaves extra groups empty', () => {
    const r = packGroups(singletons(2), [3, 1], 4)
    assert.deepEqual(r.groups.map((g) => g.txs.length), [1, 1, 0, 0])
    assert.equal(r.makespan, 3)
    assert.equal(r.idealSpeedup, 4 / 3)
  })

  it('rejects bad groups and inputs with coded errors', () => {
    assert.throws(() => packGroups(singletons(1), [1], 0), (e) => hasCode(e, 'PARTITION_INVALID_GROUPS'))
    assert.throws(() => packGroups(singletons(1), [1], 1.5), (e) => hasCode(e, 'PARTITION_INVALID_GROUPS'))
    assert.throws(() => packGroups(singletons(2), [1], 1), (e) => hasCode(e, 'PARTITION_INVALID_INPUT'))
    const dag = buildDag(compact([[{ key: 0, kind: 1 }]], 1))
    assert.throws(() => partition(dag, { strategy: 'fastest' as 'union-find' }), (e) => hasCode(e, 'PARTITION_UNKNOWN_STRATEGY'))
  })
})

/** Naive LPT written from the rule: sort by gas desc then smallest tx, scan for least-loaded group. */
function referencePack(componentOf: Uint32Array, count: number, gas: number[], k: number): number[] {
  const cg = new Array<number>(count).fill(0)
  componentOf.forEach((c, i) => (cg[c] = (cg[c] as number) + (gas[i] as number)))
  const order = Array.from({ length: count }, (_, c) => c).sort((a, b) => (cg[b] as number) - (cg[a] as number) || a - b)
  const load = new Array<number>(k).fill(0)
  const groupOfComp = new Array<number>(count).fill(-1)
  for (const c of order) {
    let best = 0
    for (let g = 1; g < k; g++) if ((load[g] as number) < (load[best] as number)) best = g
    groupOfComp[c] = best
    load[best] = (load[best] as number) + (cg[c] as number)
  }
  return [...componentOf].map((c) => groupOfComp[c] as number)
}

describe('packGroups against a naive LPT', () => {
  it('agrees on large inputs with many ties (radix path) and small ones', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        fc.constantFrom(1, 3, 50),
        (n, k, seed, spread) => {
          let s = seed >>> 0
          const rnd = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0)
          // few distinct gas values (ties), including zero and fractions; random component merges
          const gas = Array.from({ length: n }, () => (rnd() % spread) * 2100.5)
          const componentOf = new Uint32Array(n)
          let count = 0
          for (let i = 0; i < n; i++) componentOf[i] = i > 0 && rnd() % 3 === 0 ? (componentOf[rnd() % i] as number) : count++
          const r = packGroups({ count, componentOf }, gas, k)
          assert.deepEqual([...r.groupOf], referencePack(componentOf, count, gas, k))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('rejects negative or non-finite gas with PARTITION_INVALID_INPUT', () => {
    for (const g of [-1, NaN, Infinity]) {
      assert.throws(() => packGroups(singletons(2), [1, g], 2), (e) => hasCode(e, 'PARTITION_INVALID_INPUT'))
    }
  })
})

describe('partition properties', () => {
  const groupsArb = fc.integer({ min: 1, max: 6 })

  it('holds every transaction exactly once, in canonical order per group, and keeps edges inside groups', () => {
    fc.assert(
      fc.property(smallBatchArb, groupsArb, ({ txs, keyCount, gas }, k) => {
        const dag = buildDag(compact(txs, keyCount, gas))
        const p = partition(dag, { groups: k })
        assert.equal(p.groups.length, k)
        const seen = new Array<number>(dag.txCount).fill(0)
        for (const g of p.groups) {
          let prev = -1
          let sum = 0
          for (const t of g.txs) {
            assert.ok(t > prev, 'ascending')
            prev = t
            seen[t] = (seen[t] as number) + 1
            assert.equal(p.groupOf[t], g.index)
            sum += gas[t] as number
          }
          assert.equal(g.gas, sum)
        }
        assert.ok(seen.every((c) => c === 1), 'each tx exactly once')
        for (let e = 0; e < dag.edgeCount; e++) assert.equal(p.groupOf[dag.edgeFrom[e] as number], p.groupOf[dag.edgeTo[e] as number])
        assert.equal(p.makespan, Math.max(0, ...p.groups.map((g) => g.gas)))
      }),
      { numRuns: 300 },
    )
  })

  it('is deterministic and identical for both strategies', () => {
    fc.assert(
      fc.property(smallBatchArb, groupsArb, ({ txs, keyCount, gas }, k) => {
        const dag = buildDag(compact(txs, keyCount, gas))
        const a = partition(dag, { groups: k })
        const b = partition(buildDag(compact(txs, keyCount, gas)), { groups: k })
        const c = partition(dag, { groups: k, strategy: 'graphology' })
        for (const other of [b, c]) {
          assert.deepEqual(other.groupOf, a.groupOf)
          assert.deepEqual(other.componentOf, a.componentOf)
          assert.equal(other.makespan, a.makespan)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('is deterministic on a generated batch of 20,000 transactions', () => {
    const opts = { txs: 20_000, accounts: 50_000, skew: 0.6, seed: 11 }
    const a = partition(buildDag(generateAccesses(opts)), { groups: 8 })
    const b = partition(buildDag(generateAccesses(opts)), { groups: 8 })
    assert.deepEqual(a.groupOf, b.groupOf)
    assert.ok(a.componentCount > 1)
    assert.ok(a.idealSpeedup >= 1 && a.idealSpeedup <= 8)
  })
})
