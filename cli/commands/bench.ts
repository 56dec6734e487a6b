/** `paradag bench`: the partitioning benchmark CLI (thin: parse, call, print). */
import { writeFileSync } from 'node:fs'
import type { Command } from 'commander'
import cliProgress from 'cli-progress'
import { generateAccesses } from '../../src/workloads/index.js'
import { benchChartSvg, benchReportHtml } from '../bench/report.js'
import { runPartition, type PartitionRunFigures, type Strategy } from '../bench/partition-run.js'
import { runExecBench } from '../bench/exec-run.js'
import { formatTable, toJson } from '../output.js'
import { action, UsageError } from '../run-command.js'

/** The throughput the seed design claimed, printed beside ours. */
const SEED_CLAIM_TX_PER_SEC = 1e9

interface BenchOpts {
  workload: string
  txs: string
  accounts: string
  skew: string
  groups: string
  strategy: Strategy
  exec: boolean
  seed: string
  json?: boolean
  csv?: boolean
  out?: string
  keysPerTx: string
  warmup: boolean
  workers?: string
  baselineA: boolean
  pools?: string
  tokens?: string
  oneSender?: boolean
  hotKey?: boolean
}

const list = (s: string, name: string): number[] => {
  const v = s.split(',').map((x) => Number(x.trim()))
  if (v.some((x) => !Number.isFinite(x) || x < 0)) throw new UsageError(`--${name} must be a number or a comma-separated list of numbers`)
  return v
}

/** Registers `bench` on the program. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('partitioning benchmark: DAG build + partition (and with --exec, traced real execution)')
    .option('--workload <name>', 'generated (access sets) | transfers | erc20 | uniswap | mixed', 'generated')
    .option('--txs <n[,n...]>', 'transactions per run', '100000')
    .option('--accounts <n>', 'accounts / keys to draw from', '10000')
    .option('--skew <s[,s...]>', 'Zipf skew s (one run per value)', '1')
    .option('--groups <k>', 'groups to pack into', '8')
    .option('--strategy <s>', 'union-find | graphology | both', 'union-find')
    .option('--exec', 'trace real execution of a generated workload')
    .option('--no-exec', 'use generated access sets (default)')
    .option('--seed <n>', 'PRNG seed', '1')
    .option('--keys-per-tx <n>', 'keys per generated transaction (--no-exec)', '6')
    .option('--no-warmup', 'skip the small warm-up run')
    .option('--workers <n>', 'worker threads for --exec (default: one per core)')
    .option('--pools <n>', 'Uniswap pools (--exec uniswap/mixed)')
    .option('--tokens <n>', 'ERC-20 tokens (--exec erc20/mixed)')
    .option('--one-sender', 'every transaction from one sender (a fully dependent block)')
    .option('--hot-key', 'every transaction writes one hot key (a fully dependent block)')
    .option('--no-baseline-a', 'with --exec: skip baseline A (plain ethereumjs runBlock)')
    .option('--json', 'print one JSON object per run')
    .option('--csv', 'print CSV')
    .option('--out <file>', 'write a report with a chart: .svg or .html')
    .action(
      action(async (o: BenchOpts) => {
        if (!['union-find', 'graphology', 'both'].includes(o.strategy)) throw new UsageError('--strategy must be union-find, graphology or both')
        const txsList = list(o.txs, 'txs')
        const skews = list(o.skew, 'skew')
        const accounts = list(o.accounts, 'accounts')[0]!
        const groups = list(o.groups, 'groups')[0]!
        const seed = list(o.seed, 'seed')[0]!
        if (groups < 1 || !Number.isInteger(groups)) throw new UsageError('--groups must be a positive integer')
        if (o.exec && o.workload === 'generated') o.workload = 'mixed'
        const runs: PartitionRunFigures[] = []
        const plan = txsList.flatMap((txs) => skews.map((skew) => ({ txs, skew })))
        const bar =
          process.stderr.isTTY && !o.json && plan.length > 1
            ? new cliProgress.SingleBar({ format: 'bench [{bar}] {value}/{total} runs', stream: process.stderr }, cliProgress.Presets.shades_classic)
            : null
        bar?.start(plan.length, 0)
        if (o.warmup && !o.exec) {
          // Warm the JIT on a small batch so the first measured run is not the interpreter's.
          const acc = generateAccesses({ txs: 20_000, accounts, skew: 1, seed: seed + 1 })
          runPartition({ workload: 'warmup', exec: false, seed, skew: 1, accounts, groups, strategy: o.strategy, accesses: acc })
        }
        for (const { txs, skew } of plan) {
          let fig: PartitionRunFigures
          if (o.exec) {
            fig = await runExecBench({
              workload: o.workload,
              txs,
              accounts,
              skew,
              seed,
              groups,
              strategy: o.strategy,
              baselineA: o.baselineA,
              ...(o.workers !== undefined ? { workers: Number(o.workers) } : {}),
              generator: {
                ...(o.pools !== undefined ? { pools: Number(o.pools) } : {}),
                ...(o.tokens !== undefined ? { tokens: Number(o.tokens) } : {}),
                ...(o.oneSender === true ? { oneSender: true } : {}),
                ...(o.hotKey === true ? { hotKey: true } : {}),
              },
            })
          } else {
            const accesses = generateAccesses({ txs, accounts, skew, seed, keysPerTx: Number(o.keysPerTx) })
            fig = runPartition({ workload: 'generated', exec: false, seed, skew, accounts, groups, strategy: o.strategy, accesses })
          }
          runs.push(fig)
          bar?.increment()
          if (o.json) process.stdout.write(`${toJson(fig)}\n`)
        }
        bar?.stop()
        if (o.csv) {
          const cols = Object.keys(runs[0] ?? {}) as (keyof PartitionRunFigures)[]
          process.stdout.write(`${cols.join(',')}\n${runs.map((r) => cols.map((c) => String(r[c] ?? '')).join(',')).join('\n')}\n`)
        } else if (!o.json) printTable(runs)
        if (o.out !== undefined) {
          writeFileSync(o.out, o.out.endsWith('.html') ? benchReportHtml(runs) : benchChartSvg(runs))
          if (!o.json) process.stdout.write(`report written to ${o.out}\n`)
        }
      }),
    )
}

function printTable(runs: PartitionRunFigures[]): void {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`
  const headers = ['skew', 'txs', 'keys', 'edges raw/waw/war/carry', 'comps', 'largest (tx%/gas%)', 'groups', 'makespan', 'ideal x', 'DAG par.', 'DAG ms', 'part. ms', 'tx/s', 'peak MB']
  const rows = runs.map((r) => [
    r.skew,
    r.txs,
    r.keys,
    `${r.edgesRaw}/${r.edgesWaw}/${r.edgesWar}/${r.edgesCarry}`,
    r.components,
    `${r.largestComponentTxs} (${pct(r.largestComponentTxShare)}/${pct(r.largestComponentGasShare)})${r.dominated ? ' !' : ''}`,
    r.groups,
    Math.round(r.makespan),
    r.idealSpeedup,
    r.dagParallelism,
    r.dagBuildMs,
    r.partitionMs,
    Math.round(r.txPerSec),
    Math.round(r.peakMemoryMb),
  ])
  process.stdout.write(`${formatTable(headers, rows)}\n`)
  const extra = runs.filter((r) => r.graphologyPartitionMs !== null)
  if (extra.length > 0) {
    process.stdout.write(
      `\n${formatTable(
        ['skew', 'txs', 'union-find ms', 'graphology ms', 'union-find speedup', 'identical'],
        extra.map((r) => [r.skew, r.txs, r.partitionMs, r.graphologyPartitionMs, r.unionFindVsGraphology, r.partitionsIdentical]),
      )}\n`,
    )
  }
  const ex = runs.filter((r) => r.tracingMs !== undefined)
  if (ex.length > 0) {
    process.stdout.write(
      `\n${formatTable(
        ['workload', 'txs', 'plain exec ms', 'traced exec ms', 'tracing overhead'],
        ex.map((r) => [r.workload, r.txs, r.plainExecMs, r.tracingMs, r.tracingOverhead]),
      )}\n`,
    )
    process.stdout.write(
      `\n${formatTable(
        ['workload', 'skew', 'txs', 'A runBlock ms', 'B sequential ms', 'parallel ms', 'x vs B', 'x vs A', 'ceiling x', 'kept', 'repaired', 'rebased', 'mode', 'roots match'],
        ex.map((r) => [r.workload, r.skew, r.txs, r.runBlockMs, r.sequentialMs, r.parallelMs, r.speedupVsSequential, r.speedupVsRunBlock, r.workerCeiling, r.reusedSpeculative, r.repaired, r.rebased, r.parallelMode, r.rootsMatch]),
      )}\n`,
    )
    const ph = ex.filter((r) => r.phases !== undefined)
    if (ph.length > 0) {
      const keys = Object.keys(ph[0]!.phases!)
      process.stdout.write(`\nparallel phases (ms)\n${formatTable(['workload', 'skew', ...keys], ph.map((r) => [r.workload, r.skew, ...keys.map((k) => r.phases![k])]))}\n`)
    }
    const cpu = ex.filter((r) => r.cpu !== undefined)
    if (cpu.length > 0) {
      process.stdout.write(
        `\nCPU of the counted runs (ms; process = every thread, main = this thread alone)\n${formatTable(
          ['workload', 'skew', 'B process', 'B main', 'parallel process', 'parallel main', 'parallel other', 'CPU parallel / B'],
          cpu.map((r) => {
            const c = r.cpu!
            const ms = (v: number | null): number | null => (v === null ? null : Math.round(v))
            return [r.workload, r.skew, ms(c.sequentialMs), ms(c.sequentialMainMs), ms(c.parallelMs), ms(c.parallelMainMs), c.parallelMainMs === null ? null : ms(c.parallelMs - c.parallelMainMs), c.parallelMs / c.sequentialMs]
          }),
        )}\n`,
      )
    }
    process.stdout.write(`\nceiling x: the workers' own execution throughput running together vs one at a time (one contiguous package per worker, no committer): the most that running the block's execution on these workers can gain on this machine\n`)
    if (ex.some((r) => r.rootsMatch === false)) process.stdout.write('! ROOT MISMATCH between execution paths\n')
  }
  const best = Math.max(...runs.map((r) => r.txPerSec))
  process.stdout.write(`\nthroughput (DAG + partition): ${Math.round(best).toLocaleString('en-US')} tx/s; the seed design claimed ${SEED_CLAIM_TX_PER_SEC.toExponential(0)} tx/s (${((best / SEED_CLAIM_TX_PER_SEC) * 100).toFixed(2)}% of it)\n`)
  if (runs.some((r) => r.dominated)) process.stdout.write('! one component holds more than half of the gas: packing cannot balance it\n')
}
