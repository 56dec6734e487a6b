import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { DirectedGraph } from 'graphology'
import { parse as parseGexf } from 'graphology-gexf'
import { parse as parseGraphml } from 'graphology-graphml'
import { buildDag, toGraphology, toGexf, toGraphml, toSvg, SVG_LAYOUTS, EDGE_KIND } from '../../src/dag/index.js'
import { hasCode } from '../../src/common/index.js'
import { compact } from './reference.js'

const R = 0 as const
const W = 1 as const
const RW = 3 as const
// t0 W k0,k1; t1 R k0, RW k1; t2 R k1; t3 W k0
const dag = buildDag(
  compact(
    [[{ key: 0, kind: W }, { key: 1, kind: W }], [{ key: 0, kind: R }, { key: 1, kind: RW }], [{ key: 1, kind: R }], [{ key: 0, kind: W }]],
    2,
    [21000, 50000, 30000, 21000],
  ),
)
const keyNames = ['b:0xaa', 's:0xcc:0x01']

describe('toGraphology', () => {
  it('mirrors vertices and edges with their attributes', () => {
    const g = toGraphology(dag, { keyNames, txLabels: ['a', 'b', 'c', 'd'] })
    assert.equal(g.order, 4)
    assert.equal(g.size, dag.edgeCount)
    assert.deepEqual(g.getNodeAttributes('1'), { index: 1, gas: 50000, label: 'b' })
    // t0 -> t1 found through both keys: raw (read k0, read k1) and waw (write k1)
    const e01 = g.edge('0', '1') as string
    assert.equal(g.getEdgeAttribute(e01, 'kind'), 'raw|waw')
    assert.equal(g.getEdgeAttribute(e01, 'kindBits'), EDGE_KIND.raw | EDGE_KIND.waw)
    assert.deepEqual(g.getEdgeAttribute(e01, 'keys'), keyNames)
    // t1 -> t3: t1 read k0, t3 writes it
    assert.equal(g.getEdgeAttribute(g.edge('1', '3') as string, 'kind'), 'war')
    g.forEachEdge((_e, _a, s, t) => assert.ok(Number(s) < Number(t)))
  })

  it('labels transactions and keys by index without names', () => {
    const g = toGraphology(dag)
    assert.equal(g.getNodeAttribute('2', 'label'), 'tx2')
    assert.deepEqual(g.getEdgeAttribute(g.edge('1', '2') as string, 'keys'), ['#1'])
  })
})

describe('exports', () => {
  it('GEXF round-trips through graphology-gexf', () => {
    const g = toGraphology(dag, { keyNames })
    const back = parseGexf(DirectedGraph, toGexf(g))
    assert.equal(back.order, g.order)
    assert.equal(back.size, g.size)
    assert.equal(back.getNodeAttribute('1', 'gas'), 50000)
    assert.ok(back.hasEdge('0', '1'))
  })

  it('GraphML round-trips through graphology-graphml', () => {
    const g = toGraphology(dag, { keyNames })
    const back = parseGraphml(DirectedGraph, toGraphml(g))
    assert.equal(back.order, g.order)
    assert.equal(back.size, g.size)
    assert.equal(back.getNodeAttribute('1', 'gas'), 50000)
    assert.equal(back.getNodeAttribute('1', 'index'), 1)
    const e = back.edge('0', '1') as string
    assert.equal(back.getEdgeAttribute(e, 'kind'), 'raw|waw')
    assert.equal(back.getEdgeAttribute(e, 'keys'), keyNames.join(' '))
  })

  it('draws an SVG with one circle per vertex and one line per edge in every layout', () => {
    const g = toGraphology(dag)
    for (const layout of SVG_LAYOUTS) {
      const svg = toSvg(g, { layout })
      assert.match(svg, /^<\?xml[^>]*\?><svg /)
      assert.equal(svg.match(/<circle /g)?.length, g.order, layout)
      assert.equal(svg.match(/<line /g)?.length, g.size, layout)
      assert.ok(!svg.includes('NaN'), layout)
    }
  })

  it('draws single-vertex and empty graphs', () => {
    const one = toSvg(toGraphology(buildDag(compact([[{ key: 0, kind: W }]], 1))))
    assert.equal(one.match(/<circle /g)?.length, 1)
    assert.ok(!one.includes('NaN'))
    assert.match(toSvg(toGraphology(buildDag(compact([], 0)))), /<svg /)
  })

  it('refuses large graphs with DAG_TOO_LARGE_FOR_SVG and unknown layouts with DAG_UNKNOWN_LAYOUT', () => {
    const g = toGraphology(dag)
    assert.throws(() => toSvg(g, { maxVertices: 3 }), (e) => hasCode(e, 'DAG_TOO_LARGE_FOR_SVG'))
    const big = buildDag(compact(Array.from({ length: 2001 }, () => [{ key: 0, kind: RW }]), 1))
    assert.throws(() => toSvg(toGraphology(big)), (e) => hasCode(e, 'DAG_TOO_LARGE_FOR_SVG'))
    assert.throws(() => toSvg(g, { layout: 'spiral' as 'layered' }), (e) => hasCode(e, 'DAG_UNKNOWN_LAYOUT'))
  })
})
