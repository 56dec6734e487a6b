import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { buildDag, dagMetrics } from '../../src/dag/index.js'
import { compact } from './reference.js'

const R = 0 as const
const W = 1 as const
const A = 0
const B = 1
const C = 2

describe('dagMetrics on hand-worked DAGs', () => {
  it('computes critical path, parallelism and generations of a small branching DAG', () => {
    // t0 W A; t1 R A, W B; t2 W C; t3 R B, R C; t4 R A
    // edges (all raw): 0->1, 1->3, 2->3, 0->4
    // paths: 0-1-3 = 10+20+5 = 35, 2-3 = 35, 0-4 = 10+50 = 60 (critical); total gas 115
    // generations: {t0,t2}, {t1,t4}, {t3}
    const dag = buildDag(
      compact(
        [[{ key: A, kind: W }], [{ key: A, kind: R }, { key: B, kind: W }], [{ key: C, kind: W }], [{ key: B, kind: R }, { key: C, kind: R }], [{ key: A, kind: R }]],
        3,
        [10, 20, 30, 5, 50],
      ),
    )
    const m = dagMetrics(dag)
    assert.equal(m.vertices, 5)
    assert.equal(m.edges, 4)
    assert.deepEqual(m.edgesByKind, { raw: 4, waw: 0, war: 0, carry: 0 })
    assert.equal(m.totalGas, 115)
    assert.equal(m.criticalPathGas, 60)
    assert.deepEqual([...m.criticalPath], [0, 4])
    assert.equal(m.parallelism, 115 / 60)
    assert.equal(m.generations, 3)
    assert.deepEqual([...m.generationWidths], [2, 2, 1])
    assert.equal(m.maxGenerationWidth, 2)
  })

  it('counts war and waw edges and finds a chain as the critical path', () => {
    // t0 R A (1); t1 W A (2): war; t2 W A (3): waw. One chain of 6 gas.
    const dag = buildDag(compact([[{ key: A, kind: R }], [{ key: A, kind: W }], [{ key: A, kind: W }]], 1, [1, 2, 3]))
    const m = dagMetrics(dag)
    assert.deepEqual(m.edgesByKind, { raw: 0, waw: 1, war: 1, carry: 0 })
    assert.equal(m.criticalPathGas, 6)
    assert.deepEqual([...m.criticalPath], [0, 1, 2])
    assert.equal(m.parallelism, 1)
    assert.equal(m.generations, 3)
    assert.deepEqual([...m.generationWidths], [1, 1, 1])
  })

  it('breaks critical-path ties by the smallest predecessor', () => {
    // t0 W A (5); t1 W B (5); t2 R A, R B (1): two paths of 6 gas; predecessor t0 wins
    const dag = buildDag(compact([[{ key: A, kind: W }], [{ key: B, kind: W }], [{ key: A, kind: R }, { key: B, kind: R }]], 2, [5, 5, 1]))
    const m = dagMetrics(dag)
    assert.deepEqual([...m.criticalPath], [0, 2])
    assert.equal(m.criticalPathGas, 6)
    assert.equal(m.parallelism, 11 / 6)
  })

  it('treats independent transactions as one generation', () => {
    const dag = buildDag(compact([[{ key: A, kind: W }], [{ key: B, kind: W }], [{ key: C, kind: W }]], 3, [4, 4, 4]))
    const m = dagMetrics(dag)
    assert.equal(m.generations, 1)
    assert.deepEqual([...m.generationWidths], [3])
    assert.equal(m.parallelism, 3)
  })

  it('handles an empty DAG', () => {
    const m = dagMetrics(buildDag(compact([], 0)))
    assert.equal(m.vertices, 0)
    assert.equal(m.criticalPathGas, 0)
    assert.equal(m.criticalPath.length, 0)
    assert.equal(m.parallelism, 1)
    assert.equal(m.generations, 0)
  })
})
