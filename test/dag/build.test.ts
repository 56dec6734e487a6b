import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import {
  buildDag,
  compactFromAccessSets,
  edgeKeys,
  forwardIndex,
  EDGE_KIND,
  ACCESS_KIND,
  type ConflictDag,
} from '../../src/dag/index.js'
import { balanceKey, nonceKey, storageKey, emptyAccessSet } from '../../src/state-verification/index.js'
import { hasCode } from '../../src/common/index.js'
import { compact, conflictingPairs, mergedAccess, reachability, smallBatchArb, type Entry } from './reference.js'

const R = 0 as const
const W = 1 as const
const C = 2 as const
const RW = 3 as const

/** Edges as sorted "i->j:kindbits" strings. */
function edgeSet(dag: ConflictDag): string[] {
  const out: string[] = []
  for (let e = 0; e < dag.edgeCount; e++) out.push(`${dag.edgeFrom[e]}->${dag.edgeTo[e]}:${dag.edgeKinds[e]}`)
  return out.sort()
}

const { raw, waw, war, carry } = EDGE_KIND

describe('buildDag on hand-worked batches', () => {
  it('orders readers after the last write and the next write after the readers', () => {
    // tx0 writes k; tx1, tx2 read k; tx3 writes k blind
    const dag = buildDag(compact([[{ key: 0, kind: W }], [{ key: 0, kind: R }], [{ key: 0, kind: R }], [{ key: 0, kind: W }]], 1))
    assert.deepEqual(edgeSet(dag), [`0->1:${raw}`, `0->2:${raw}`, `0->3:${waw}`, `1->3:${war}`, `2->3:${war}`].sort())
  })

  it('makes credits visible to later readers without edges between creditors', () => {
    // tx0, tx1 credit; tx2, tx3 read; tx4 credits; tx5 reads; tx6 reads and writes
    const txs: Entry[][] = [[{ key: 0, kind: C }], [{ key: 0, kind: C }], [{ key: 0, kind: R }], [{ key: 0, kind: R }], [{ key: 0, kind: C }], [{ key: 0, kind: R }], [{ key: 0, kind: RW }]]
    const dag = buildDag(compact(txs, 1))
    assert.deepEqual(
      edgeSet(dag),
      [`0->2:${raw}`, `1->2:${raw}`, `2->3:${carry}`, `3->5:${carry}`, `4->5:${raw}`, `2->6:${war}`, `3->6:${war}`, `5->6:${war}`].sort(),
    )
  })

  it('gives no edges for credits alone or credits after a write', () => {
    assert.equal(buildDag(compact([[{ key: 0, kind: C }], [{ key: 0, kind: C }], [{ key: 0, kind: C }]], 1)).edgeCount, 0)
    assert.equal(buildDag(compact([[{ key: 0, kind: W }], [{ key: 0, kind: C }]], 1)).edgeCount, 0)
    assert.equal(buildDag(compact([[{ key: 0, kind: R }], [{ key: 0, kind: R }]], 1)).edgeCount, 0)
  })

  it('merges a pair found through two keys into one edge with both kinds and keys', () => {
    // tx0 writes k0, k1; tx1 reads k0 and writes k1
    const dag = buildDag(compact([[{ key: 0, kind: W }, { key: 1, kind: W }], [{ key: 0, kind: R }, { key: 1, kind: W }]], 2))
    assert.equal(dag.edgeCount, 1)
    assert.equal(dag.edgeKinds[0], raw | waw)
    assert.equal(dag.edgeKey[0], 0)
    assert.equal(dag.edgeMultiKey[0], 1)
    assert.deepEqual(edgeKeys(dag, 0), [0, 1])
  })

  it('merges separate read and write entries of one tx into read+write', () => {
    const split = buildDag(compact([[{ key: 0, kind: W }], [{ key: 0, kind: R }, { key: 0, kind: W }]], 1))
    assert.deepEqual(edgeSet(split), [`0->1:${raw | waw}`])
    assert.equal(split.edgeMultiKey[0], 0)
  })

  it('passes a reader+creditor credit on to the next reader', () => {
    // tx0 credits; tx1 reads and credits; tx2 reads
    const dag = buildDag(compact([[{ key: 0, kind: C }], [{ key: 0, kind: R }, { key: 0, kind: C }], [{ key: 0, kind: R }]], 1))
    assert.deepEqual(edgeSet(dag), [`0->1:${raw}`, `1->2:${raw | carry}`])
  })

  it('builds the forward index with every edge once, grouped by source', () => {
    const dag = buildDag(compact([[{ key: 0, kind: W }], [{ key: 0, kind: R }], [{ key: 0, kind: R }], [{ key: 0, kind: W }]], 1))
    const fwd = forwardIndex(dag)
    assert.deepEqual([...fwd.outOffsets], [0, 3, 4, 5, 5])
    const seen = [...fwd.outEdges].sort((a, b) => a - b)
    assert.deepEqual(seen, [0, 1, 2, 3, 4])
    for (let i = 0; i < 4; i++) {
      for (let x = fwd.outOffsets[i] as number; x < (fwd.outOffsets[i + 1] as number); x++) assert.equal(dag.edgeFrom[fwd.outEdges[x] as number], i)
    }
  })
})

describe('buildDag properties (fast-check, brute-force reference)', () => {
  it('edges point forward, are grouped by target, and are never duplicated', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount, gas }) => {
        const dag = buildDag(compact(txs, keyCount, gas))
        const pairs = new Set<string>()
        for (let j = 0; j < dag.txCount; j++) {
          for (let e = dag.inOffsets[j] as number; e < (dag.inOffsets[j + 1] as number); e++) {
            assert.equal(dag.edgeTo[e], j)
            assert.ok((dag.edgeFrom[e] as number) < j)
            const p = `${dag.edgeFrom[e]}-${j}`
            assert.ok(!pairs.has(p), `duplicate edge ${p}`)
            pairs.add(p)
          }
        }
        assert.equal(dag.inOffsets[dag.txCount], dag.edgeCount)
      }),
      { numRuns: 300 },
    )
  })

  it('the transitive closure orders every conflicting pair', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const dag = buildDag(compact(txs, keyCount))
        const reach = reachability(dag.txCount, dag.edgeFrom, dag.edgeTo, dag.edgeCount)
        for (const [i, j] of conflictingPairs(txs)) assert.ok(reach[i]?.[j], `conflict ${i}->${j} not ordered`)
      }),
      { numRuns: 500 },
    )
  })

  it('every edge is justified: raw/waw/war bits by a real conflict of that kind, carry by a shared credited read', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const dag = buildDag(compact(txs, keyCount))
        const acc = mergedAccess(txs)
        for (let e = 0; e < dag.edgeCount; e++) {
          const i = dag.edgeFrom[e] as number
          const j = dag.edgeTo[e] as number
          const bits = dag.edgeKinds[e] as number
          const ai = acc[i] as Map<number, { r: boolean; w: boolean; c: boolean }>
          const aj = acc[j] as Map<number, { r: boolean; w: boolean; c: boolean }>
          const some = (f: (a: { r: boolean; w: boolean; c: boolean }, b: { r: boolean; w: boolean; c: boolean }) => boolean): boolean =>
            [...ai].some(([k, a]) => {
              const b = aj.get(k)
              return b !== undefined && f(a, b)
            })
          if (bits & raw) assert.ok(some((a, b) => (a.w || a.c) && b.r), 'raw')
          if (bits & waw) assert.ok(some((a, b) => (a.w || a.c) && b.w), 'waw')
          if (bits & war) assert.ok(some((a, b) => a.r && b.w), 'war')
          if (bits & carry) {
            // both read a key some earlier tx credited (the carry may come from a non-primary key)
            const justified = [...ai].some(([k, a]) => a.r && aj.get(k)?.r === true && acc.slice(0, i).some((m) => m.get(k)?.c === true))
            assert.ok(justified, 'carry needs a key both read after an earlier credit')
          }
          assert.ok((bits & (raw | waw | war | carry)) !== 0)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('keeps edges within 3x the accesses', () => {
    fc.assert(
      fc.property(smallBatchArb, ({ txs, keyCount }) => {
        const input = compact(txs, keyCount)
        assert.ok(buildDag(input).edgeCount <= 3 * input.keys.length)
      }),
      { numRuns: 300 },
    )
  })
})

describe('hot keys build a linear number of edges', () => {
  const N = 100_000
  const one = (kind: 0 | 1 | 2 | 3): Entry[] => [{ key: 0, kind }]

  it('100k read-modify-writes of one key: a chain of n-1 edges', () => {
    const dag = buildDag(compact(Array.from({ length: N }, () => one(RW)), 1))
    assert.equal(dag.edgeCount, N - 1)
  })

  it('100k readers then a writer: n-1 war edges', () => {
    const txs = Array.from({ length: N }, (_, j) => one(j === N - 1 ? W : R))
    assert.equal(buildDag(compact(txs, 1)).edgeCount, N - 1)
  })

  it('50k creditors then 50k readers: one edge per creditor plus a carry chain', () => {
    const half = N / 2
    const txs = Array.from({ length: N }, (_, j) => one(j < half ? C : R))
    // first reader: one raw edge per creditor; each later reader: one carry edge
    assert.equal(buildDag(compact(txs, 1)).edgeCount, half + (half - 1))
  })

  it('100k random accesses of one hot key stay within 3x the accesses', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        let s = seed >>> 0
        const kinds: (0 | 1 | 2 | 3)[] = [R, W, C, RW]
        const txs = Array.from({ length: N }, () => {
          s = (Math.imul(s, 1664525) + 1013904223) >>> 0
          return one(kinds[s >>> 30] as 0 | 1 | 2 | 3)
        })
        assert.ok(buildDag(compact(txs, 1)).edgeCount <= 3 * N)
      }),
      { numRuns: 3 },
    )
  })
})

describe('compactFromAccessSets', () => {
  it('interns keys, folds read+write into readWrite and credits onto balance keys', () => {
    const a = '0x' + '11'.repeat(20)
    const b = '0x' + '22'.repeat(20)
    const coinbase = '0x' + 'fe'.repeat(20)
    const t0 = emptyAccessSet()
    t0.reads.add(balanceKey(a)).add(nonceKey(a))
    t0.writes.add(balanceKey(a)).add(nonceKey(a)).add(balanceKey(b))
    t0.credits.set(coinbase, 5n)
    const t1 = emptyAccessSet()
    t1.reads.add(balanceKey(coinbase)).add(storageKey(b, '0x1'))
    t1.credits.set(coinbase, 7n)
    const { accesses, interner } = compactFromAccessSets([t0, t1], [21000n, 30000n])
    assert.deepEqual([...accesses.gas], [21000, 30000])
    const entries = (j: number): string[] => {
      const out: string[] = []
      for (let p = accesses.offsets[j] as number; p < (accesses.offsets[j + 1] as number); p++) {
        out.push(`${interner.name(accesses.keys[p] as number)}/${accesses.kinds[p]}`)
      }
      return out.sort()
    }
    assert.deepEqual(entries(0), [
      `${balanceKey(a)}/${ACCESS_KIND.readWrite}`,
      `${balanceKey(b)}/${ACCESS_KIND.write}`,
      `${balanceKey(coinbase)}/${ACCESS_KIND.credit}`,
      `${nonceKey(a)}/${ACCESS_KIND.readWrite}`,
    ].sort())
    // a read of the fee recipient keeps its own credit entry
    assert.deepEqual(entries(1), [
      `${balanceKey(coinbase)}/${ACCESS_KIND.credit}`,
      `${balanceKey(coinbase)}/${ACCESS_KIND.read}`,
      `${storageKey(b, '0x1')}/${ACCESS_KIND.read}`,
    ].sort())
    assert.equal(accesses.keyCount, interner.size)
    // tx1 reads the coinbase balance tx0 credited: one raw edge
    const dag = buildDag(accesses)
    assert.deepEqual(edgeSet(dag), [`0->1:${raw}`])
    assert.deepEqual(edgeKeys(dag, 0).map((k) => interner.name(k)), [balanceKey(coinbase)])
  })

  it('rejects gas of the wrong length with DAG_INVALID_INPUT', () => {
    assert.throws(() => compactFromAccessSets([emptyAccessSet()], []), (e) => hasCode(e, 'DAG_INVALID_INPUT'))
  })
})

describe('buildDag input validation', () => {
  const ok = compact([[{ key: 0, kind: W }], [{ key: 0, kind: R }]], 1)
  const cases: [string, object][] = [
    ['key out of range', { keyCount: 0 }],
    ['bad kind', { kinds: Uint8Array.of(W, 9) }],
    ['offsets length', { offsets: Uint32Array.of(0, 1) }],
    ['gas length', { gas: new Float64Array(1) }],
    ['offsets decreasing', { offsets: Uint32Array.of(0, 2, 1) }],
    ['keys too short', { keys: Uint32Array.of(0) }],
  ]
  for (const [name, patch] of cases) {
    it(`rejects ${name} with DAG_INVALID_INPUT`, () => {
      assert.throws(() => buildDag({ ...ok, ...patch }), (e) => hasCode(e, 'DAG_INVALID_INPUT'))
    })
  }

  it('accepts an empty batch', () => {
    const dag = buildDag(compact([], 0))
    assert.equal(dag.edgeCount, 0)
    assert.equal(dag.txCount, 0)
  })
})
