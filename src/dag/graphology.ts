/**
 * The graphology view of a conflict DAG, for analysis, cross-checks and export (GEXF, GraphML,
 * SVG). Not for the hot path: graphology costs about a microsecond and a few objects per edge.
 */
import { createRequire } from 'node:module'
import { DirectedGraph } from 'graphology'
import { write as writeGexf } from 'graphology-gexf'
import type { Attributes } from 'graphology-types'
import { EDGE_KIND, EDGE_KIND_NAMES, SVG_DEFAULT_SIZE, SVG_FORCEATLAS2_ITERATIONS, SVG_MAX_VERTICES } from './constants.js'
import { edgeKeys } from './build.js'
import { DagError } from './errors.js'
import type { ConflictDag } from './types.js'

// CommonJS-only packages whose typings describe `export default`: load them with require so the
// runtime value and the type agree.
const require = createRequire(import.meta.url)

export interface TxNodeAttributes extends Attributes {
  index: number
  gas: number
  label: string
}

export interface ConflictEdgeAttributes extends Attributes {
  /** kind names joined by '|', e.g. 'raw|waw' */
  kind: string
  /** the EDGE_KIND bitmask */
  kindBits: number
  /** key names (or '#id' without names) */
  keys: string[]
}

export type DagGraph = DirectedGraph<TxNodeAttributes, ConflictEdgeAttributes>

export interface ToGraphologyOptions {
  /** key names indexed by key id (e.g. `KeyInterner.names`) */
  keyNames?: readonly string[]
  /** labels indexed by transaction index (e.g. tx hashes); default `tx<i>` */
  txLabels?: readonly string[]
}

/** Kind names of an EDGE_KIND bitmask, joined by '|'. */
export function edgeKindName(bits: number): string {
  const names: string[] = []
  for (const n of EDGE_KIND_NAMES) if ((bits & EDGE_KIND[n]) !== 0) names.push(n)
  return names.join('|')
}

/** Returns the DAG as a graphology DirectedGraph: node key = tx index as a string. */
export function toGraphology(dag: ConflictDag, options: ToGraphologyOptions = {}): DagGraph {
  const g: DagGraph = new DirectedGraph<TxNodeAttributes, ConflictEdgeAttributes>()
  const { keyNames, txLabels } = options
  for (let i = 0; i < dag.txCount; i++) {
    g.addNode(String(i), { index: i, gas: dag.gas[i] as number, label: txLabels?.[i] ?? `tx${i}` })
  }
  for (let e = 0; e < dag.edgeCount; e++) {
    const bits = dag.edgeKinds[e] as number
    const keys = edgeKeys(dag, e).map((k) => keyNames?.[k] ?? `#${k}`)
    g.addDirectedEdgeWithKey(`e${e}`, String(dag.edgeFrom[e]), String(dag.edgeTo[e]), {
      kind: edgeKindName(bits),
      kindBits: bits,
      keys,
    })
  }
  return g
}

/**
 * A bare graphology graph (no attributes except `index`) used as the reference partition path;
 * cheaper than `toGraphology` so the comparison measures graphology itself.
 */
export function toGraphologyBare(dag: ConflictDag): DirectedGraph {
  const g = new DirectedGraph()
  for (let i = 0; i < dag.txCount; i++) g.addNode(String(i), { index: i })
  for (let e = 0; e < dag.edgeCount; e++) g.addDirectedEdge(String(dag.edgeFrom[e]), String(dag.edgeTo[e]))
  return g
}

/** GEXF 1.3 document of a DAG graph (via graphology-gexf). */
export function toGexf(graph: DirectedGraph): string {
  return writeGexf(graph, { version: '1.3', pretty: true })
}

type GraphmlType = 'boolean' | 'int' | 'long' | 'double' | 'string'

/**
 * GraphML document of a graph. graphology-graphml only parses, so this is a small writer:
 * attribute types are inferred per attribute name, arrays are written space-separated.
 */
export function toGraphml(graph: DirectedGraph): string {
  const nodeTypes = new Map<string, GraphmlType>()
  const edgeTypes = new Map<string, GraphmlType>()
  graph.forEachNode((_n, a) => collectTypes(nodeTypes, a))
  graph.forEachEdge((_e, a) => collectTypes(edgeTypes, a))
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
  ]
  for (const [name, type] of nodeTypes) {
    lines.push(`  <key id="n_${xml(name)}" for="node" attr.name="${xml(name)}" attr.type="${type}"/>`)
  }
  for (const [name, type] of edgeTypes) {
    lines.push(`  <key id="e_${xml(name)}" for="edge" attr.name="${xml(name)}" attr.type="${type}"/>`)
  }
  lines.push(`  <graph edgedefault="${graph.type === 'undirected' ? 'undirected' : 'directed'}">`)
  graph.forEachNode((node, attrs) => {
    lines.push(`    <node id="${xml(node)}">${dataElements('n_', attrs)}</node>`)
  })
  graph.forEachEdge((edge, attrs, source, target) => {
    lines.push(`    <edge id="${xml(edge)}" source="${xml(source)}" target="${xml(target)}">${dataElements('e_', attrs)}</edge>`)
  })
  lines.push('  </graph>', '</graphml>', '')
  return lines.join('\n')
}

function collectTypes(into: Map<string, GraphmlType>, attrs: Attributes): void {
  for (const [name, v] of Object.entries(attrs)) {
    const t = graphmlType(v)
    const prev = into.get(name)
    if (prev === undefined) into.set(name, t)
    else if (prev !== t) into.set(name, widen(prev, t))
  }
}

function graphmlType(v: unknown): GraphmlType {
  if (typeof v === 'boolean') return 'boolean'
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return 'double'
    return Math.abs(v) <= 0x7fffffff ? 'int' : 'long'
  }
  return 'string'
}

function widen(a: GraphmlType, b: GraphmlType): GraphmlType {
  const numeric = ['int', 'long', 'double']
  if (numeric.includes(a) && numeric.includes(b)) return a === 'double' || b === 'double' ? 'double' : 'long'
  return 'string'
}

function dataElements(prefix: string, attrs: Attributes): string {
  let out = ''
  for (const [name, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue
    const text = Array.isArray(v) ? v.map(String).join(' ') : String(v)
    out += `<data key="${prefix}${xml(name)}">${xml(text)}</data>`
  }
  return out
}

function xml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => XML_ESCAPES[c] as string)
}
const XML_ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }

export const SVG_LAYOUTS = ['layered', 'circular', 'forceatlas2'] as const
export type SvgLayout = (typeof SVG_LAYOUTS)[number]

export interface ToSvgOptions {
  /**
   * 'layered' (default): x = topological generation, y = position in it, so every edge points
   * rightwards and direction needs no arrowheads; 'circular' or 'forceatlas2' otherwise.
   */
  layout?: SvgLayout
  width?: number
  height?: number
  /** refuse graphs with more vertices than this (default SVG_MAX_VERTICES) */
  maxVertices?: number
}

const KIND_COLORS: Record<string, string> = { raw: '#d62728', waw: '#1f77b4', war: '#2ca02c', carry: '#aaaaaa' }

type SvgRenderer = (graph: unknown, settings: Record<string, unknown>) => string
interface CircularLayout {
  (graph: unknown, options?: { scale?: number }): Record<string, { x: number; y: number }>
}
interface ForceAtlas2 {
  (graph: unknown, params: { iterations: number; settings?: Record<string, unknown> }): Record<string, { x: number; y: number }>
  inferSettings(order: number): Record<string, unknown>
}

/**
 * An SVG picture of a small DAG graph (from `toGraphology`), drawn by graphology-svg: nodes
 * sized by gas, edges coloured by kind (raw red, waw blue, war green, carry grey).
 * Throws DAG_TOO_LARGE_FOR_SVG above `maxVertices`.
 */
export function toSvg(graph: DagGraph, options: ToSvgOptions = {}): string {
  const max = options.maxVertices ?? SVG_MAX_VERTICES
  if (graph.order > max) {
    throw new DagError('DAG_TOO_LARGE_FOR_SVG', `DAG has ${graph.order} vertices; SVG is limited to ${max}`, {
      details: { vertices: graph.order, maxVertices: max },
    })
  }
  const layout = options.layout ?? 'layered'
  if (!SVG_LAYOUTS.includes(layout)) {
    throw new DagError('DAG_UNKNOWN_LAYOUT', `unknown SVG layout ${String(layout)}`, { details: { layout } })
  }
  const width = options.width ?? SVG_DEFAULT_SIZE
  const height = options.height ?? SVG_DEFAULT_SIZE
  // draw on a copy: positions and colours are presentation, not DAG data
  const g = graph.copy() as unknown as DirectedGraph
  if (g.order === 0) {
    return `<?xml version="1.0" encoding="utf-8"?><svg width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"></svg>`
  }
  if (g.order === 1) {
    // graphology-svg scales by the spread of positions, which is zero for a single node
    const [node, a] = [g.nodes()[0] as string, g.getNodeAttributes(g.nodes()[0] as string)]
    const label = xml(String(a.label ?? node))
    return `<?xml version="1.0" encoding="utf-8"?><svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" version="1.1" xmlns="http://www.w3.org/2000/svg"><g><circle cx="${width / 2}" cy="${height / 2}" r="10" fill="#444444" /></g><g><text x="${width / 2 + 11}" y="${height / 2 + 2.5}" font-family="sans-serif" font-size="10">${label}</text></g></svg>`
  }
  const positions = layoutPositions(g, layout)
  let maxGas = 0
  g.forEachNode((_n, a) => {
    if ((a.gas as number) > maxGas) maxGas = a.gas as number
  })
  const spread = layoutSpread(positions)
  g.forEachNode((node, a) => {
    const p = positions[node] as { x: number; y: number }
    const rel = maxGas > 0 ? Math.sqrt((a.gas as number) / maxGas) : 1
    g.mergeNodeAttributes(node, { x: p.x, y: p.y, size: spread * (0.01 + 0.02 * rel), color: '#444444' })
  })
  g.forEachEdge((edge, a) => {
    const first = EDGE_KIND_NAMES.find((n) => ((a.kindBits as number) & EDGE_KIND[n]) !== 0) ?? 'carry'
    g.mergeEdgeAttributes(edge, { color: KIND_COLORS[first], size: 1 })
  })
  const render = require('graphology-svg/renderer.js') as SvgRenderer
  return render(g, { margin: 20, width, height, nodes: { reducer: null, defaultColor: '#999' }, edges: { reducer: null, defaultColor: '#ccc' } })
}

function layoutPositions(g: DirectedGraph, layout: SvgLayout): Record<string, { x: number; y: number }> {
  if (layout === 'circular') return (require('graphology-layout/circular.js') as CircularLayout)(g, { scale: 100 })
  if (layout === 'forceatlas2') {
    const circular = require('graphology-layout/circular.js') as CircularLayout
    const fa2 = require('graphology-layout-forceatlas2') as ForceAtlas2
    // deterministic start (forceatlas2 itself is deterministic given positions)
    const start = circular(g, { scale: 100 })
    g.forEachNode((n) => g.mergeNodeAttributes(n, start[n] as { x: number; y: number }))
    return fa2(g, { iterations: SVG_FORCEATLAS2_ITERATIONS, settings: fa2.inferSettings(g.order) })
  }
  // layered: nodes in index order; generation = 1 + max generation of in-neighbours
  const nodes = g.nodes().sort((a, b) => (g.getNodeAttribute(a, 'index') as number) - (g.getNodeAttribute(b, 'index') as number))
  const gen = new Map<string, number>()
  const widths: number[] = []
  const out: Record<string, { x: number; y: number }> = {}
  for (const n of nodes) {
    let lv = 0
    g.forEachInNeighbor(n, (m) => {
      const l = (gen.get(m) ?? 0) + 1
      if (l > lv) lv = l
    })
    gen.set(n, lv)
    const row = widths[lv] ?? 0
    widths[lv] = row + 1
    // odd generations shift half a row so edges skipping a generation do not run through nodes
    out[n] = { x: lv, y: row + (lv % 2) * 0.5 }
  }
  // stretch the shorter side so the picture fills a square canvas
  const levels = widths.length
  const rows = Math.max(...widths)
  const sx = levels >= rows ? 10 : (10 * rows) / levels
  const sy = rows >= levels ? 10 : (10 * levels) / rows
  for (const p of Object.values(out)) {
    p.x *= sx
    p.y *= sy
  }
  return out
}

function layoutSpread(p: Record<string, { x: number; y: number }>): number {
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  for (const { x, y } of Object.values(p)) {
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  const s = Math.max(maxX - minX, maxY - minY)
  return s > 0 ? s : 10
}
