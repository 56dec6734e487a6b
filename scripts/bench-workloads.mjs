// Generation time of the executed workloads (genesis build + signing), one JSON line per run.
// Usage: npm run build && node scripts/bench-workloads.mjs [erc20|uniswap|transfers|mixed] [txs] [accounts]
import { generateWorkload, workloadToJson } from '../dist/src/workloads/index.js'

const name = process.argv[2] ?? 'erc20'
const txs = Number(process.argv[3] ?? 10000)
const accounts = Number(process.argv[4] ?? 20000)
const extra = name === 'uniswap' ? { pools: 64 } : {}
const c0 = process.cpuUsage()
const t0 = performance.now()
const w = await generateWorkload(name, { txs, accounts, seed: 1, ...extra })
const genMs = performance.now() - t0
const cu = process.cpuUsage(c0)
const genCpuMs = (cu.user + cu.system) / 1000
const t1 = performance.now()
const json = JSON.stringify(workloadToJson(w))
const jsonMs = performance.now() - t1
console.log(JSON.stringify({ workload: name, txs, accounts, ...extra, genMs: Math.round(genMs), genCpuMs: Math.round(genCpuMs), jsonMs: Math.round(jsonMs), jsonMB: +(json.length / 1e6).toFixed(1), genesisAccounts: w.genesis.size, gasLimit: w.blockEnv.gasLimit.toString() }))
