// Self-check benchmark of the DAG + partition hot path (runs on dist; `npm run build` first).
// Usage: node scripts/bench-dag.mjs [txs=1000000] [skew=1.0] [accounts=100000] [groups=8] [runs=5]
// Prints the first (cold) run and the best of `runs` for DAG build and union-find partition,
// and the union-find vs graphology ratio at 100k transactions (identical partitions checked).
import { generateAccesses } from '../dist/src/workloads/index.js'
import { buildDag, dagMetrics } from '../dist/src/dag/index.js'
import { partition } from '../dist/src/partition/index.js'

const [txs = 1_000_000, skew = 1.0, accounts = 100_000, groups = 8, runs = 5] = process.argv.slice(2).map(Number)
const now = () => performance.now()
const fmt = (x) => x.toFixed(1).padStart(7)

// warm the JIT on a small batch, as the bench CLI does
const warm = buildDag(generateAccesses({ txs: 20_000, accounts, skew, seed: 2 }))
partition(warm, { groups })

const acc = generateAccesses({ txs, accounts, skew, keysPerTx: 6, seed: 42 })
const dagMs = []
const partMs = []
let dag
let part
for (let r = 0; r < runs; r++) {
  let t0 = now()
  dag = buildDag(acc)
  dagMs.push(now() - t0)
  t0 = now()
  part = partition(dag, { groups, strategy: 'union-find' })
  partMs.push(now() - t0)
}
const m = dagMetrics(dag)
const first = dagMs[0] + partMs[0]
const best = Math.min(...dagMs) + Math.min(...partMs)
console.log(`txs=${txs} accounts=${accounts} skew=${skew} accesses=${acc.offsets[txs]} keys=${acc.keyCount} groups=${groups}`)
console.log(`edges=${dag.edgeCount} byKind=${JSON.stringify(m.edgesByKind)} components=${part.componentCount}`)
console.log(
  `largest component ${part.largestComponent?.txs} txs (${((part.largestComponent?.gasShare ?? 0) * 100).toFixed(1)}% gas), idealSpeedup=${part.idealSpeedup.toFixed(2)}, DAG parallelism=${m.parallelism.toFixed(2)}`,
)
console.log(`            buildDag  partition  total ms   tx/s`)
console.log(`first run ${fmt(dagMs[0])} ${fmt(partMs[0])}   ${fmt(first)}   ${(txs / (first / 1000)).toExponential(2)}`)
console.log(`best of ${runs} ${fmt(Math.min(...dagMs))} ${fmt(Math.min(...partMs))}   ${fmt(best)}   ${(txs / (best / 1000)).toExponential(2)}   (seed design claimed 1e9 tx/s)`)

// union-find vs graphology at 100k
const small = buildDag(generateAccesses({ ...{ txs: 100_000, accounts, skew, seed: 42 } }))
const ufMs = []
let uf
for (let r = 0; r < runs; r++) {
  const t0 = now()
  uf = partition(small, { groups, strategy: 'union-find' })
  ufMs.push(now() - t0)
}
let t0 = now()
const gr = partition(small, { groups, strategy: 'graphology' })
const grMs = now() - t0
const same = uf.componentOf.every((c, i) => c === gr.componentOf[i]) && uf.groupOf.every((g, i) => g === gr.groupOf[i])
console.log(`100k txs: union-find ${Math.min(...ufMs).toFixed(2)} ms, graphology ${grMs.toFixed(1)} ms, ratio ${(grMs / Math.min(...ufMs)).toFixed(0)}x, identical partitions: ${same}`)
