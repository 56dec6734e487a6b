// Self-check benchmark of the DAG + partition hot path (runs on dist; `npm run build` first).
// Usage: node scripts/bench-dag.mjs [txs=1000000] [skew=1.0] [accounts=100000] [groups=8]
// Prints generation, DAG build and union-find partition times, and the union-find vs
// graphology ratio at 100k transactions.
import { generateAccesses } from '../dist/src/workloads/index.js'
import { buildDag, dagMetrics } from '../dist/src/dag/index.js'
import { partition, componentsUnionFind } from '../dist/src/partition/index.js'

const [txs = 1_000_000, skew = 1.0, accounts = 100_000, groups = 8] = process.argv.slice(2).map(Number)
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6
const best = (runs, f) => {
  let bestMs = Infinity
  let out
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint()
    out = f()
    bestMs = Math.min(bestMs, ms(t0))
  }
  return { ms: bestMs, out }
}

const opts = { txs, accounts, skew, keysPerTx: 6, seed: 42 }
const gen = best(1, () => generateAccesses(opts))
const acc = gen.out
const dag = best(3, () => buildDag(acc))
const part = best(3, () => partition(dag.out, { groups, strategy: 'union-find' }))
const uf = best(3, () => componentsUnionFind(dag.out))
const m = dagMetrics(dag.out)
const total = dag.ms + part.ms
console.log(`txs=${txs} accounts=${accounts} skew=${skew} accesses=${acc.offsets[txs]} keys=${acc.keyCount}`)
console.log(`edges=${dag.out.edgeCount} byKind=${JSON.stringify(m.edgesByKind)} components=${part.out.componentCount}`)
console.log(`largest component: ${part.out.largestComponent?.txs} txs (${((part.out.largestComponent?.gasShare ?? 0) * 100).toFixed(1)}% gas) idealSpeedup=${part.out.idealSpeedup.toFixed(2)} parallelism=${m.parallelism.toFixed(2)}`)
console.log(`generate ${gen.ms.toFixed(1)} ms | buildDag ${dag.ms.toFixed(1)} ms | partition(uf) ${part.ms.toFixed(1)} ms (components ${uf.ms.toFixed(1)} ms) | DAG+partition ${total.toFixed(1)} ms | ${(txs / (total / 1000)).toExponential(2)} tx/s (seed design claimed 1e9 tx/s)`)

// union-find vs graphology at 100k
const small = generateAccesses({ ...opts, txs: 100_000 })
const sdag = buildDag(small)
const ufs = best(3, () => partition(sdag, { groups, strategy: 'union-find' }))
const gs = best(1, () => partition(sdag, { groups, strategy: 'graphology' }))
const same = ufs.out.componentOf.every((c, i) => c === gs.out.componentOf[i])
console.log(`100k: union-find ${ufs.ms.toFixed(2)} ms, graphology ${gs.ms.toFixed(1)} ms, ratio ${(gs.ms / ufs.ms).toFixed(1)}x, identical partitions: ${same}`)
