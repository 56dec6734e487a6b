// Tracing overhead: executes the same generated blocks sequentially with plain ethereumjs
// `runTx` over a MapStateManager and with `traceTransaction` over a TracingStateManager wrapping
// an identical MapStateManager, and prints the ratio (target: at most 1.3x).
//
// Each variant runs in its own child process (warm-up runs first, then timed runs): running
// both in one process makes ethereumjs' call sites polymorphic (two state-manager classes) and
// shares GC pressure, which slows whichever runs second and is not how an executor runs (an
// executor only ever traces). Children alternate plain/traced to spread machine noise. Both
// wall time and process CPU time are reported; on a shared, loaded machine the CPU-time ratio is
// the trustworthy one (time spent descheduled is not the tracer's).
// Usage: npm run build && node scripts/bench-tracing.mjs [--txs 2000] [--reps 2] [--only erc20] [--json]
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : def
}
const txCount = Number(arg('txs', '2000'))

if (process.argv.includes('--child')) {
  const { createVM, runTx } = await import('@ethereumjs/vm')
  const { MapStateManager } = await import('../dist/src/state/index.js')
  const { TracingStateManager, traceTransaction } = await import('../dist/src/state-verification/index.js')
  const { createEnvBlock, generateErc20, generateTransfers, generateUniswap } = await import('../dist/src/workloads/index.js')
  const name = arg('workload', 'transfers')
  const traced = arg('mode', 'plain') === 'traced'
  const gen = { transfers: generateTransfers, erc20: generateErc20, uniswap: generateUniswap }[name]
  const w = await gen({ txs: txCount, accounts: 2000, seed: 1 })
  for (const tx of w.txs) tx.getSenderAddress() // recover senders once: neither path pays for it
  const once = async () => {
    const inner = new MapStateManager({ snapshot: w.genesis, keccak256: w.common.customCrypto.keccak256 })
    const state = traced ? new TracingStateManager(inner) : inner
    const vm = await createVM({ common: w.common, stateManager: state })
    const block = createEnvBlock(w.blockEnv, w.common)
    let gas = 0n
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    for (const tx of w.txs) {
      if (traced) {
        const r = await traceTransaction(vm, tx, { block })
        if (r.outcome.included) gas += r.outcome.gasUsed
      } else {
        try {
          gas += (await runTx(vm, { tx, block, skipBlockGasLimitValidation: true, skipHardForkValidation: true })).totalGasSpent
        } catch {}
      }
    }
    const c = process.cpuUsage(c0)
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, gas }
  }
  await once()
  await once()
  const times = []
  const cpu = []
  let gas = 0n
  for (let i = 0; i < 3; i++) {
    const r = await once()
    times.push(r.ms)
    cpu.push(r.cpuMs)
    gas = r.gas
  }
  times.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  process.stdout.write(JSON.stringify({ ms: times[1], cpuMs: cpu[1], txs: w.txs.length, gas: gas.toString() }))
  process.exit(0)
}

const reps = Number(arg('reps', '2'))
const only = arg('only', '')
const json = process.argv.includes('--json')
const self = fileURLToPath(import.meta.url)
const child = (workload, mode) => {
  const r = spawnSync(process.execPath, [self, '--child', '--workload', workload, '--mode', mode, '--txs', String(txCount)], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`child ${workload}/${mode} failed: ${r.stderr}`)
  return JSON.parse(r.stdout)
}
const rows = []
for (const name of ['transfers', 'erc20', 'uniswap']) {
  if (only !== '' && !only.split(',').includes(name)) continue
  const plain = []
  const traced = []
  const plainCpu = []
  const tracedCpu = []
  let txs = 0
  let gasMatch = true
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? ['plain', 'traced'] : ['traced', 'plain']
    const res = {}
    for (const m of order) res[m] = child(name, m)
    plain.push(res.plain.ms)
    traced.push(res.traced.ms)
    plainCpu.push(res.plain.cpuMs)
    tracedCpu.push(res.traced.cpuMs)
    txs = res.plain.txs
    gasMatch &&= res.plain.gas === res.traced.gas
  }
  const p = Math.min(...plain)
  const t = Math.min(...traced)
  const pc = Math.min(...plainCpu)
  const tc = Math.min(...tracedCpu)
  rows.push({ workload: name, txs, plainMs: +p.toFixed(1), tracedMs: +t.toFixed(1), ratio: +(t / p).toFixed(3), plainCpuMs: +pc.toFixed(1), tracedCpuMs: +tc.toFixed(1), cpuRatio: +(tc / pc).toFixed(3), gasMatch })
}
if (json) console.log(JSON.stringify(rows))
else {
  console.log('workload   txs    plain ms  traced ms  ratio  plain cpu ms  traced cpu ms  cpu ratio  gas-match')
  for (const r of rows)
    console.log(
      `${r.workload.padEnd(10)} ${String(r.txs).padEnd(6)} ${String(r.plainMs).padStart(8)}  ${String(r.tracedMs).padStart(9)}  ${r.ratio.toFixed(2).padStart(5)}  ${String(r.plainCpuMs).padStart(12)}  ${String(r.tracedCpuMs).padStart(13)}  ${r.cpuRatio.toFixed(2).padStart(9)}  ${r.gasMatch}`,
    )
}
