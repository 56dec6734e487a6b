import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { DirectedGraph } from 'graphology'
import { buildDag, toGraphology } from '../../src/dag/index.js'
import { componentsGraphology, componentsUnionFind } from '../../src/partition/index.js'
import { generateAccesses } from '../../src/workloads/index.js'
import { hasCode } from '../../src/common/index.js'
import { compact, conflictingPairs, naiveComponents, smallBatchArb } from '../dag/reference.js'

/** Random edge lists i<j over up to 40 vertices. */
const edgeListArb = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: n < 2 ? fc.constant([] as [number, number][]) : fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)).filter(([a, b]) => a !== b), { maxLength: 60 }),
  }),
)

describe('components', () => {
  it('union-find equals graphology-components and a naive flood fill on random DAGs', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const dag = buildDag(compact(txs, keyCount))
        const uf = componentsUnionFind(dag)
        const gr = componentsGraphology(toGraphology(dag))
        assert.deepEqual([...uf.componentOf], [...gr.componentOf])
        assert.equal(uf.count, gr.count)
        assert.deepEqual([...uf.componentOf], naiveComponents(dag.txCount, dag.edgeFrom, dag.edgeTo, dag.edgeCount))
        // the plain edge-list path (no inOffsets) agrees with the DAG path
        assert.deepEqual(componentsUnionFind({ txCount: dag.txCount, edgeFrom: dag.edgeFrom, edgeTo: dag.edgeTo }), uf)
      }),
      { numRuns: 300 },
    )
  })

  it('union-find equals graphology-components on random edge lists', () => {
    fc.assert(
      fc.property(edgeListArb, ({ n, edges }) => {
        const from = edges.map(([a, b]) => Math.min(a, b))
        const to = edges.map(([a, b]) => Math.max(a, b))
        const uf = componentsUnionFind({ txCount: n, edgeFrom: from, edgeTo: to })
        const g = new DirectedGraph()
        for (let i = 0; i < n; i++) g.addNode(String(i), { index: i })
        edges.forEach(([a, b]) => g.mergeEdge(String(Math.min(a, b)), String(Math.max(a, b))))
        assert.deepEqual([...uf.componentOf], [...componentsGraphology(g).componentOf])
        assert.deepEqual([...uf.componentOf], naiveComponents(n, from, to, from.length))
      }),
      { numRuns: 300 },
    )
  })

  it('numbers components by their smallest transaction', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const { componentOf, count } = componentsUnionFind(buildDag(compact(txs, keyCount)))
        let next = 0
        for (const c of componentOf) {
          assert.ok(c <= next, 'a new component id appears only in increasing order')
          if (c === next) next++
        }
        assert.equal(next, count)
      }),
      { numRuns: 200 },
    )
  })

  it('puts every brute-force conflicting pair in one component', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const { componentOf } = componentsUnionFind(buildDag(compact(txs, keyCount)))
        for (const [i, j] of conflictingPairs(txs)) assert.equal(componentOf[i], componentOf[j], `${i} and ${j} conflict`)
      }),
      { numRuns: 500 },
    )
  })

  it('union-find equals graphology-components on generated batches of 3,000 transactions', () => {
    for (const skew of [0, 0.8, 1.2]) {
      const dag = buildDag(generateAccesses({ txs: 3000, accounts: 5000, skew, seed: 7, hotKeys: 2, hotKeyProbability: 0.01 }))
      const uf = componentsUnionFind(dag)
      const gr = componentsGraphology(toGraphology(dag))
      assert.equal(uf.count, gr.count)
      assert.deepEqual(uf.componentOf, gr.componentOf)
    }
  })

  it('rejects bad input with PARTITION_INVALID_INPUT', () => {
    assert.throws(() => componentsUnionFind({ txCount: 2, edgeFrom: [0], edgeTo: [5] }), (e) => hasCode(e, 'PARTITION_INVALID_INPUT'))
    assert.throws(() => componentsUnionFind({ txCount: 2, edgeFrom: [0], edgeTo: [], edgeCount: 1 }), (e) => hasCode(e, 'PARTITION_INVALID_INPUT'))
    // target-grouped input whose source is not below its target
    assert.throws(
      () => componentsUnionFind({ txCount: 2, edgeFrom: [1], edgeTo: [0], inOffsets: [0, 1, 1] }),
      (e) => hasCode(e, 'PARTITION_INVALID_INPUT'),
    )
    assert.throws(
      () => componentsUnionFind({ txCount: 2, edgeFrom: [0], edgeTo: [1], inOffsets: [0, 1, 0] }),
      (e) => hasCode(e, 'PARTITION_INVALID_INPUT'),
    )
    const g = new DirectedGraph()
    g.addNode('x')
    assert.throws(() => componentsGraphology(g), (e) => hasCode(e, 'PARTITION_INVALID_INPUT'))
  })
})
